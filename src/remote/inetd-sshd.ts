// The exec transport's command: the sshd sshpod installed, in inetd mode (`sshd -i`), so that
// the exec's stdin and stdout are the SSH connection itself — no port, no port-forward. It runs
// in the install directory that the prepare script reported (or that the remembered endpoint
// names), under the same rules as that script (prepare-sshd.sh's threat model): it enters the
// directory, checks that it reached it without a symlink and that the directory and its two
// parents in sshpod's tree are its own, and from then on names every file /proc/self/cwd/<name>
// (the bundle keeps its working directory: bundles/compat/keep-cwd.c). sshd's log goes to its
// file, so stderr carries only this line's own complaint; stdout carries nothing but sshd.
//
// Exit status 97 (and one line on stderr) when the directory is not there as expected: the
// caller then prepares the container again through the exec path.

/** Exit status of the command when the install directory is missing or not sshpod's own. */
export const NO_INSTALL_EXIT = 97;

export const INETD_SCRIPT =
  'd=$1; case $d in /*/sshpod/*/*) ;; *) echo "sshpod: bad install directory" >&2; exit 97;; esac; ' +
  'if ! cd -P "$d" 2>/dev/null || [ "$PWD" != "$d" ] || [ ! -O . ] || [ ! -O .. ] || [ ! -O ../.. ] || [ ! -x sshd ] || [ ! -s sshd_config ]; then ' +
  'echo "sshpod: no sshd installed in $d" >&2; exit 97; fi; ' +
  'SSHPOD_PASSWD=/proc/self/cwd/passwd SSHPOD_PRIVSEP_DIR=/proc/self/cwd/empty exec /proc/self/cwd/sshd -i -f /proc/self/cwd/sshd_config -E /proc/self/cwd/sshd.log';

/** The exec's argv: `sh -c SCRIPT sshpod DIR`; DIR is a value, never part of the script. */
export function inetdCommand(dir: string): string[] {
  return ['sh', '-c', INETD_SCRIPT, 'sshpod', dir];
}
