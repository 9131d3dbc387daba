/*
 * OpenSSH's sshd calls daemon() before it binds its listening sockets, so the process that
 * started it exits 0 even when the port is taken, and the caller cannot tell. sshpod picks a
 * random loopback port and must retry on a collision, so with this wrapper (linked with
 * -Wl,--wrap=daemon -Wl,--wrap=listen) the starting process waits until the daemon either
 * listens (exit 0) or dies first (exit with the daemon's status: 255 for "Cannot bind any
 * address."). sshd treats any bound address as success, and so does this.
 *
 * The daemon keeps its working directory (daemon(3) would chdir to /): see keep-cwd.c. It
 * also tells idle-exit.c that this process is the listener.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

void sshpod_became_listener(void);
int __real_listen(int fd, int backlog);
int __wrap_listen(int fd, int backlog);
int __wrap_daemon(int nochdir, int noclose);

/* Write end of the pipe the starting process waits on; -1 once readiness was reported. */
static int ready_fd = -1;

int __wrap_listen(int fd, int backlog)
{
	int r = __real_listen(fd, backlog);

	if (r == 0 && ready_fd != -1) {
		int saved_errno = errno;
		ssize_t n;

		do
			n = write(ready_fd, "", 1);
		while (n == -1 && errno == EINTR);
		close(ready_fd);
		ready_fd = -1;
		errno = saved_errno;
	}
	return r;
}

_Noreturn static void wait_for_daemon(pid_t pid, int fd)
{
	char c;
	ssize_t n;
	int status;

	do
		n = read(fd, &c, 1);
	while (n == -1 && errno == EINTR);
	if (n == 1)
		_exit(0);
	/* The daemon closed the pipe without listening: it exited, report how. */
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			_exit(255);
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
}

/* daemon(3) with one fork: the parent stays to learn the child's fate, the child leads a new session. */
int __wrap_daemon(int nochdir, int noclose)
{
	int ready[2], null_fd;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	if (pid != 0) {
		close(ready[1]);
		wait_for_daemon(pid, ready[0]);
	}
	close(ready[0]);
	ready_fd = ready[1];
	if (setsid() == -1)
		return -1;
	(void)nochdir; /* the working directory is kept on purpose: see keep-cwd.c */
	sshpod_became_listener();
	if (!noclose) {
		if ((null_fd = open("/dev/null", O_RDWR)) == -1)
			return -1;
		if (dup2(null_fd, 0) == -1 || dup2(null_fd, 1) == -1 || dup2(null_fd, 2) == -1)
			return -1;
		if (null_fd > 2)
			close(null_fd);
	}
	return 0;
}
