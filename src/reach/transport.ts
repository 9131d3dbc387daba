// Which stream carries SSH to the pod's sshd: a port-forward to the port it listens on (the
// default: kubelet relays raw TCP), or the exec transport — `sshd -i` as an exec's command, its
// stdin and stdout the SSH stream — for clusters that forbid pods/portforward (RBAC, admission
// policy) or whose load balancers break long port-forward streams.
//
// The choice: `--transport` on `sshpod proxy`, else SSHPOD_TRANSPORT in the environment (ssh
// passes its environment to the ProxyCommand), else `auto`: port-forward first, and when the
// cluster refuses it (403), exec — remembered for that kubeconfig context for a day, so later
// connections go straight to exec and one a day looks again whether port-forward is allowed now.
import { readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SshpodError } from '../errors.ts';
import { writePrivateFile } from '../local-file.ts';

export type Transport = 'port-forward' | 'exec';
export type TransportSetting = Transport | 'auto';

/** How long a context is remembered as refusing port-forward. */
export const REMEMBER_EXEC_MS = 24 * 60 * 60 * 1000;

/** The setting from the option or the environment; anything else is a usage error. */
export function transportSetting(option: string | undefined, environment: NodeJS.ProcessEnv = process.env): TransportSetting {
  const fromOption = option !== undefined;
  const value = (option ?? environment['SSHPOD_TRANSPORT'] ?? '').trim().toLowerCase();
  if (value === '' || value === 'auto') return 'auto';
  if (value === 'exec' || value === 'port-forward') return value;
  const where = fromOption ? '--transport' : 'SSHPOD_TRANSPORT';
  throw new SshpodError('usage', `${where} is "${value.slice(0, 20)}", which is not a transport`, {
    hint: `set ${where} to auto (port-forward, or exec when port-forward is refused), port-forward or exec`,
  });
}

export interface TransportPlan {
  /** The transport to try first. */
  first: Transport;
  /** Whether a refused port-forward may fall back to exec. */
  fallBack: boolean;
  /** Said at --log-level debug. */
  why: string;
}

/** The plan for one connection. `rememberedAt`: when this context last refused port-forward. Pure. */
export function planTransport(setting: TransportSetting, rememberedAt: number | undefined, now: number): TransportPlan {
  if (setting !== 'auto') return { first: setting, fallBack: false, why: `forced (${setting})` };
  if (rememberedAt !== undefined && now - rememberedAt >= 0 && now - rememberedAt < REMEMBER_EXEC_MS) {
    return { first: 'exec', fallBack: false, why: `this context refused port-forward ${Math.round((now - rememberedAt) / 60000)} min ago` };
  }
  return { first: 'port-forward', fallBack: true, why: 'auto: port-forward first' };
}

/** Whether an error opening a port-forward means the cluster refuses port-forward itself. */
export function refusesPortForward(error: unknown): boolean {
  return error instanceof SshpodError && error.kind === 'forbidden';
}

/** Per-context memory of a refused port-forward, in ~/.cache/sshpod/transport/. */
export interface TransportMemory {
  refusedAt(): number | undefined;
  rememberRefusal(now: number): void;
  forget(): void;
}

export function fileTransportMemory(cacheDir: string, context: string): TransportMemory {
  const file = join(cacheDir, 'transport', `${createHash('sha256').update(context).digest('hex').slice(0, 32)}.json`);
  return {
    refusedAt() {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { portForwardRefusedAt?: unknown };
        return typeof parsed.portForwardRefusedAt === 'number' ? parsed.portForwardRefusedAt : undefined;
      } catch {
        return undefined; // absent or damaged: port-forward is tried first
      }
    },
    rememberRefusal(now) {
      writePrivateFile(file, `${JSON.stringify({ context, portForwardRefusedAt: now })}\n`);
    },
    forget() {
      rmSync(file, { force: true });
    },
  };
}
