/*
 * sshd keeps the working directory it was started in. sshpod starts sshd from inside its
 * install directory and names every file sshd uses as /proc/self/cwd/<name>: the binary it
 * re-executes for each connection, its config, host key, pid file and log, authorized_keys, the
 * fallback passwd, the privsep chroot. A working directory is held by inode, so no other user of
 * the container can redirect sshd by renaming or replacing anything on the directory's path
 * (an emptyDir /tmp is writable by every uid, without the sticky bit).
 *
 * Upstream sshd's main() changes to / "so that the current disk can be unmounted", in the
 * listener and again in each re-executed per-connection process. Linked with -Wl,--wrap=chdir,
 * the first chdir("/") of a process image is skipped: that is always main()'s. Later calls are
 * real — the pre-auth child's chdir("/") inside its chroot (inherited state: its parent already
 * skipped one) and the session's chdir to the user's home.
 */
#include <string.h>
#include <unistd.h>

int __real_chdir(const char *path);
int __wrap_chdir(const char *path);

static int skipped_main_chdir;

int __wrap_chdir(const char *path)
{
	if (!skipped_main_chdir && path != NULL && strcmp(path, "/") == 0) {
		skipped_main_chdir = 1;
		return 0;
	}
	return __real_chdir(path);
}
