// The exec's environment is what `kubectl exec` shows: the container's env from the pod spec and
// the image, PATH, KUBERNETES_* and HOSTNAME. sshd gives sessions a fresh environment, so these
// variables reach ssh sessions through sshd_config's SetEnv. Variables sshd sets per login (user,
// home, shell, terminal, SSH_*) and sshpod's own are left to sshd.

const PER_LOGIN = new Set(['HOME', 'USER', 'LOGNAME', 'SHELL', 'MAIL', 'TERM', 'PWD', 'OLDPWD', 'SHLVL', '_']);

/** NUL-separated `NAME=value` entries (as in /proc/PID/environ) → the variables to pass on. */
export function sessionEnvironment(environ: Buffer): Array<[string, string]> {
  const variables: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const entry of environ.toString('utf8').split('\0')) {
    const equals = entry.indexOf('=');
    if (equals <= 0) continue;
    const name = entry.slice(0, equals);
    const value = entry.slice(equals + 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    if (PER_LOGIN.has(name) || name.startsWith('SSH_') || name.startsWith('SSHPOD_')) continue;
    // sshd_config is line-based: a value spanning lines cannot be expressed there.
    if (/[\r\n]/.test(value)) continue;
    if (seen.has(name)) continue;
    seen.add(name);
    variables.push([name, value]);
  }
  return variables;
}

/** Variables that make a program or a shell load or run code from a path they name. */
const LOADS_CODE = /^(LD_.*|GCONV_PATH|GLIBC_TUNABLES|MALLOC_.*|NLSPATH|LOCPATH|HOSTALIASES|RESOLV_HOST_CONF|RES_OPTIONS|LOCALDOMAIN|ENV|BASH_ENV|BASHOPTS|SHELLOPTS|PS4|PROMPT_COMMAND|CDPATH|IFS)$/;

/**
 * The view's environment comes from /proc/1/environ of the target, a process of another user,
 * which may have rewritten that memory (it is its own): root's sessions must not take from it what
 * makes them run code of its choosing — the loader's and the shell's variables. PATH is the one
 * the script sent (`path`: the target's, without directories another uid could write to, see
 * safe_in_target in the prepare script), then the debug image's tools. Pure.
 */
export function viewEnvironment(variables: Array<[string, string]>, tools: string, path: string): Array<[string, string]> {
  const kept = variables.filter(([name]) => !LOADS_CODE.test(name) && name !== 'PATH');
  return [...kept, ['PATH', path === '' ? tools : `${path}:${tools}`]];
}
