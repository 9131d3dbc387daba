// SSHPOD_TIMEOUT (seconds; ssh passes the environment to its ProxyCommand): how long sshpod waits
// for a step that may hang — an exec credential plugin, a cluster doctor asks — before it stops
// and says which one. Each caller has its own default for when it is not set.

export function timeoutSettingMs(defaultMs: number, environment: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(environment['SSHPOD_TIMEOUT']);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : defaultMs;
}
