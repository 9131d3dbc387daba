import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { deliveryFor, type Situation } from '../../src/failure/situation.ts';

const table: Array<[Situation, string]> = [
  [{ stderrDiscarded: false, stdoutToSsh: true, relayStarted: false }, 'stderr'],
  [{ stderrDiscarded: false, stdoutToSsh: true, relayStarted: true }, 'stderr'],
  [{ stderrDiscarded: true, stdoutToSsh: true, relayStarted: false }, 'ssh'],
  [{ stderrDiscarded: true, stdoutToSsh: true, relayStarted: true }, 'nowhere'],
  [{ stderrDiscarded: true, stdoutToSsh: false, relayStarted: false }, 'nowhere'],
];

for (const [situation, expected] of table) {
  test(`delivery: ${JSON.stringify(situation)} → ${expected}`, () => {
    assert.equal(deliveryFor(situation), expected);
  });
}

test("the situation is read from the process's own stdout and stderr", () => {
  const probe = `import { currentSituation } from ${JSON.stringify(new URL('../../src/failure/situation.ts', import.meta.url).pathname)};
process.stdout.write(JSON.stringify(currentSituation(false)));`;
  const run = (stderr: 'pipe' | 'ignore'): unknown => {
    // stdio 'ignore' is /dev/null, as OpenSSH gives a ProxyCommand under ControlPersist.
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8', stdio: ['pipe', 'pipe', stderr] });
    return JSON.parse(result.stdout);
  };
  assert.deepEqual(run('ignore'), { stderrDiscarded: true, stdoutToSsh: true, relayStarted: false });
  assert.deepEqual(run('pipe'), { stderrDiscarded: false, stdoutToSsh: true, relayStarted: false });
});
