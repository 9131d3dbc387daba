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

/** Where a session in a chrooted view finds a path for commands when the target sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The variables for a session in the view of a container without a shell: the target's, with the
 * debug container's tools (`tools`, directories reached through /proc, `:` between) last on PATH,
 * so that the target's own programs come first and the debug image fills in for what the image
 * lacks. Pure.
 */
export function withTools(variables: Array<[string, string]>, tools: string): Array<[string, string]> {
  const path = variables.find(([name]) => name === 'PATH')?.[1] || DEFAULT_PATH;
  return [...variables.filter(([name]) => name !== 'PATH'), ['PATH', `${path}:${tools}`]];
}

/** Variables that make a program or a shell load or run code from a path they name. */
const LOADS_CODE = /^(LD_.*|GCONV_PATH|GLIBC_TUNABLES|MALLOC_.*|NLSPATH|LOCPATH|HOSTALIASES|RESOLV_HOST_CONF|RES_OPTIONS|LOCALDOMAIN|ENV|BASH_ENV|BASHOPTS|SHELLOPTS|PS4|PROMPT_COMMAND|CDPATH|IFS)$/;

/**
 * The view's environment comes from /proc/1/environ of the target, a process of another user,
 * which may have rewritten that memory (it is its own): root's sessions must not take from it what
 * makes them run code of its choosing — the loader's and the shell's variables, and PATH entries
 * that are not absolute (they name the session's working directory, which the target chooses).
 * Then PATH gets the debug image's tools (withTools). Pure.
 */
export function viewEnvironment(variables: Array<[string, string]>, tools: string): Array<[string, string]> {
  const kept = variables
    .filter(([name]) => !LOADS_CODE.test(name))
    .map(([name, value]): [string, string] => (name === 'PATH' ? [name, value.split(':').filter((entry) => entry.startsWith('/')).join(':')] : [name, value]));
  return withTools(kept, tools);
}
