// Exec credential plugins (aws eks get-token, gke-gcloud-auth-plugin, kubelogin …) run the way
// kubectl runs them: the kubeconfig's env on top of ours, KUBERNETES_EXEC_INFO saying that no
// one can answer a prompt (ssh owns stdin), and the plugin's stderr passed through, so that its
// messages to the user (a sign-in URL, a warning) reach the terminal as they would with kubectl.
import { spawn } from 'node:child_process';

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

export class ExecPluginError extends Error {}

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

export function runExecPlugin(exec: ExecConfig): Promise<ExecCredentialStatus> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const { name, value } of exec.env ?? []) env[name] = value;
  if (exec.apiVersion) env['KUBERNETES_EXEC_INFO'] = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, exec.args ?? [], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new ExecPluginError(error.code === 'ENOENT' ? `its exec plugin "${exec.command}" was not found` : `its exec plugin "${exec.command}" could not run: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      if (code !== 0) {
        if (code !== null || signal !== null) reject(new ExecPluginError(`its exec plugin "${exec.command}" failed (${signal ?? `exit ${code}`})`));
        return; // spawn failed: 'error' has the reason
      }
      try {
        resolve(parseExecCredential(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(new ExecPluginError(`its exec plugin "${exec.command}": ${(error as Error).message}`));
      }
    });
  });
}
