// How long sshpod waits for any one step of a connection — connecting to the API server, TLS, an
// API answer, the container's reply, the first byte from sshd — before it says which step hung.
// One knob for all of them, because a slow cluster is slow at every step: SSHPOD_TIMEOUT in
// seconds (ssh passes the environment to its ProxyCommand), default 30.
export const DEFAULT_STEP_TIMEOUT_SECONDS = 30;

/** The timeout in milliseconds that SSHPOD_TIMEOUT (seconds) sets, or the default. */
export function stepTimeoutMs(environment: NodeJS.ProcessEnv = process.env): number {
  return timeoutSettingMs(DEFAULT_STEP_TIMEOUT_SECONDS * 1000, environment);
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export const TIMEOUT_HINT = 'if the cluster is just slow, allow more time with SSHPOD_TIMEOUT=SECONDS (ssh passes it on); otherwise check the cluster';

/** SSHPOD_TIMEOUT for steps whose own default differs (a credential plugin, a cluster doctor asks). */
export function timeoutSettingMs(defaultMs: number, environment: NodeJS.ProcessEnv = process.env): number {
  const value = Number(environment['SSHPOD_TIMEOUT']);
  return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : defaultMs;
}
