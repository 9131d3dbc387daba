// Exec credential plugins (aws eks get-token, gke-gcloud-auth-plugin, kubelogin …) run the way
// kubectl runs them: the kubeconfig's env on top of ours, KUBERNETES_EXEC_INFO saying that no
// one can answer a prompt (ssh owns stdin), and the plugin's stderr passed through, so that its
// messages to the user (a sign-in URL, a warning) reach the terminal as they would with kubectl.
// Unlike kubectl, a plugin that hangs is stopped after a while, with a message naming it.
import { timeoutSettingMs } from '../timeout.ts';

export interface ExecConfig {
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }> | null;
  apiVersion?: string;
}

/** The status of an ExecCredential (client.authentication.k8s.io). */
export interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

export class ExecPluginError extends Error {
  /** What to do, when the plugin's own failure suggests something better than the general hint. */
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string } = {}) {
    super(message);
    this.hint = options.hint;
  }
}

/** The kubeconfig's `exec` entry, checked: what of it this module uses, or a reason it cannot run. */
export function execConfigOf(raw: unknown): ExecConfig {
  const exec = raw as Partial<ExecConfig> | null;
  if (typeof exec?.command !== 'string' || exec.command === '') throw new ExecPluginError('its exec entry names no command');
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const env = Array.isArray(exec.env) ? exec.env.filter((e) => typeof e?.name === 'string').map((e) => ({ name: e.name, value: String(e.value ?? '') })) : [];
  return { command: exec.command, args, env, ...(typeof exec.apiVersion === 'string' ? { apiVersion: exec.apiVersion } : {}) };
}

/** Reads a plugin's stdout: an ExecCredential with a token or a client certificate and key. */
export function parseExecCredential(stdout: string): ExecCredentialStatus {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new ExecPluginError('it printed something that is not an ExecCredential (not JSON)');
  }
  const credential = parsed as { kind?: unknown; status?: Record<string, unknown> } | null;
  if (credential?.kind !== 'ExecCredential' || typeof credential.status !== 'object' || credential.status === null) {
    throw new ExecPluginError('it printed JSON that is not an ExecCredential with a status');
  }
  const status: ExecCredentialStatus = {};
  for (const field of ['token', 'clientCertificateData', 'clientKeyData', 'expirationTimestamp'] as const) {
    const value = credential.status[field];
    if (typeof value === 'string' && value !== '') status[field] = value;
  }
  const certificate = status.clientCertificateData !== undefined && status.clientKeyData !== undefined;
  if (status.token === undefined && !certificate) throw new ExecPluginError('its ExecCredential has neither a token nor a client certificate and key');
  return status;
}

/** How long a plugin may take: SSHPOD_TIMEOUT seconds if set, else a minute (a plugin may be
 *  refreshing a sign-in over the network, which takes longer than any one API call). */
export function pluginTimeoutMs(environment: NodeJS.ProcessEnv = process.env): number {
  return timeoutSettingMs(DEFAULT_PLUGIN_TIMEOUT_MS, environment);
}

export const DEFAULT_PLUGIN_TIMEOUT_MS = 60_000;
/** After SIGTERM, a plugin that is still there gets SIGKILL. */
const KILL_GRACE_MS = 2000;
/** A plugin that exited but left a child holding its output: how long its output may still come. */
const OUTPUT_AFTER_EXIT_MS = 1000;

function lastLine(text: string): string | undefined {
  return text.trim().split(/\r?\n/).at(-1)?.trim() || undefined;
}

/**
 * Runs the plugin with execa: bounded by `timeoutMs` (then SIGTERM, then SIGKILL), killed if sshpod
 * itself is stopped, its stderr passed through to the person as it comes and also kept, so that a
 * failure can quote its last line (under ControlPersist, ssh sends sshpod's stderr to /dev/null).
 * execa is loaded here, so that connections without a plugin never load it.
 */
export async function runExecPlugin(exec: ExecConfig, timeoutMs = pluginTimeoutMs()): Promise<ExecCredentialStatus> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const { name, value } of exec.env ?? []) env[name] = value;
  if (exec.apiVersion) env['KUBERNETES_EXEC_INFO'] = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  const { execa } = await import('execa');
  const plugin = execa(exec.command, exec.args ?? [], {
    env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: ['inherit', 'pipe'],
    timeout: timeoutMs,
    forceKillAfterDelay: KILL_GRACE_MS,
    cleanup: true,
    reject: false,
    maxBuffer: 1024 * 1024,
    stripFinalNewline: false,
  });
  // A wrapper script killed at the timeout can leave its own child holding our pipes, and execa
  // would wait for them to close: once the plugin itself has exited, its output may still come for
  // a moment, then the pipes are closed from our side.
  plugin.once('exit', () => {
    setTimeout(() => {
      plugin.stdout?.destroy();
      plugin.stderr?.destroy();
    }, OUTPUT_AFTER_EXIT_MS).unref();
  });
  const result = await plugin;
  const name = `its exec plugin "${exec.command}"`;
  const said = lastLine(String(result.stderr ?? ''));
  if (result.timedOut) {
    throw new ExecPluginError(`${name} did not finish within ${timeoutMs / 1000} s and was stopped${said ? ` (its last words: ${said})` : ''}`, {
      hint: `run it by hand to see what it waits for (${[exec.command, ...(exec.args ?? [])].join(' ')}); SSHPOD_TIMEOUT=SECONDS allows it more time`,
    });
  }
  const spawnCode = (result.cause as NodeJS.ErrnoException | undefined)?.code;
  if (spawnCode === 'ENOENT') throw new ExecPluginError(`${name} was not found`);
  if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    throw new ExecPluginError(`${name} could not run: ${(result.cause as Error | undefined)?.message ?? result.shortMessage}`);
  }
  if (result.failed && result.isMaxBuffer) throw new ExecPluginError(`${name} printed more than an ExecCredential can be`);
  if (result.failed) throw new ExecPluginError(`${name} failed (${result.signal ?? `exit ${result.exitCode}`})${said ? `: ${said}` : ''}`);
  try {
    return parseExecCredential(String(result.stdout));
  } catch (error) {
    throw new ExecPluginError(`${name}: ${(error as Error).message}`);
  }
}
