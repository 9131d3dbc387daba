import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLUSTER_NODE_FLAGS } from './node-flags.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

test('the npm scripts that run the test cluster under load pass its node flags', () => {
  for (const script of ['cluster', 'bench']) {
    const command = pkg.scripts[script] ?? '';
    assert.match(command, /\bnode /, `${script} runs node directly`);
    for (const flag of CLUSTER_NODE_FLAGS) assert.ok(command.includes(` ${flag} `), `${script}: ${command} lacks ${flag}`);
  }
});
