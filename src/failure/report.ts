// The end of a failed `sshpod proxy`: the lines (`sshpod: …`, `hint: …`) go where the person will
// see them, the failure is recorded for `sshpod last-error`, and the exit status says what kind of
// failure it was. Loaded only when a connection fails.
//
// Where the lines go (situation.ts): stderr when it reaches someone; else, while stdout is still
// sshpod's, through ssh itself — as a minimal SSH server's banner (answer-ssh.ts) when ssh will
// accept sshpod's local host key for this name, else as a DISCONNECT before key exchange
// (disconnect-packet.ts), which needs no key; else (the relay had started: the stream belongs to
// the pod's sshd, and ssh reports the broken connection itself) only the record keeps them.
// /dev/tty is not used: it would bypass a script's redirections, and after the first session of a
// shared connection it may be another terminal than the one whose command failed.
import { writeSync } from 'node:fs';
import { formatErrorForUser } from '../errors.ts';
import { log, logStack, timelineSoFar } from '../log.ts';
import { forThePerson } from '../local-file-error.ts';
import { exitCodeFor } from '../exit-codes.ts';
import { sshpodPaths, type SshpodPaths } from '../ssh/paths.ts';
import { readTextIfExists } from '../local-file.ts';
import { asyncStdout, relayStarted } from '../relay/relay.ts';
import { printable } from '../text/printable.ts';
import { currentSituation, deliveryFor, type Delivery } from './situation.ts';
import { saveLastFailure } from './last-failure.ts';
import { knownHostsAccept, lookupName } from './known-hosts-match.ts';
import { disconnectBeforeKeyExchange, fitDescription } from './disconnect-packet.ts';

export interface FailedRequest {
  host: string;
  user?: string;
  port?: number;
}

/** sshpod's local host key, if ssh would accept it for this name; else undefined. */
async function acceptedHostKey(paths: SshpodPaths, request: FailedRequest): Promise<string | undefined> {
  try {
    const { ensureKeys } = await import('../ssh/keys.ts');
    const { pinHostKey } = await import('../ssh/known-hosts.ts');
    const { host } = ensureKeys(paths);
    // The *.sshpod pin may be gone (a deleted known_hosts): put it back, as a connection would.
    pinHostKey(paths.knownHosts, host.publicKey, '*.sshpod', host.publicKey);
    const knownHosts = readTextIfExists(paths.knownHosts) ?? '';
    return knownHostsAccept(knownHosts, lookupName(request.host, request.port ?? 22), host.publicKey) ? host.privateKey : undefined;
  } catch (error) {
    log.debug(`failure: no host key to answer with (${(error as Error).message})`);
    return undefined;
  }
}

async function tellThroughSsh(paths: SshpodPaths, request: FailedRequest, lines: string[]): Promise<void> {
  const hostKey = await acceptedHostKey(paths, request);
  const host = printable(request.host).slice(0, 100);
  if (hostKey) {
    const { answerAsServer } = await import('./answer-ssh.ts');
    await answerAsServer(
      { hostKey, banner: lines.join('\n'), description: `sshpod could not connect to ${host} (sshpod last-error shows why)` },
      process.stdin,
      asyncStdout(),
    );
    return;
  }
  writeSync(1, disconnectBeforeKeyExchange(fitDescription([`sshpod could not connect to ${host}:`, ...lines])));
  // Until ssh has read it: leaving now could break the pipe under ssh's own first write.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5000);
    process.stdin.on('data', () => undefined);
    process.stdin.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    process.stdin.once('error', () => undefined);
  });
}

/** Tells, records, and returns the exit status. Never throws. */
export async function reportProxyFailure(error: unknown, request: FailedRequest, paths = sshpodPaths()): Promise<number> {
  const shown = forThePerson(error);
  const text = formatErrorForUser(shown);
  const lines = text.split('\n');
  logStack(error);
  const delivery: Delivery = deliveryFor(currentSituation(relayStarted()));
  const exitCode = exitCodeFor(shown);
  try {
    saveLastFailure(paths, { time: new Date().toISOString(), host: request.host, ...(request.user ? { user: request.user } : {}), lines, exitCode, delivery, timeline: timelineSoFar() });
  } catch (saveError) {
    log.debug(`failure: not recorded (${(saveError as Error).message})`);
  }
  try {
    if (delivery === 'stderr') process.stderr.write(`${text}\n`);
    else if (delivery === 'ssh') await tellThroughSsh(paths, request, lines);
  } catch (tellError) {
    log.debug(`failure: could not tell ssh (${(tellError as Error).message})`);
  }
  return exitCode;
}
