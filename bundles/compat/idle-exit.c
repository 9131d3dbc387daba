/*
 * An sshd that nobody uses goes away by itself, with its files. When $SSHPOD_IDLE_EXIT is a
 * positive number of seconds, the listener (the process daemon-ready.c forked) exits once it
 * has had no connection for that long, after removing everything in its working directory (its
 * install directory: see keep-cwd.c) and that directory itself. The next sshpod connection
 * installs sshd again.
 *
 * Connections are the listener's children: linked with -Wl,--wrap=fork -Wl,--wrap=waitpid
 * -Wl,--wrap=ppoll, the listener counts the children it forks and the ones its SIGCHLD handler
 * reaps, and its accept loop's ppoll() (which waits without a timeout) gets one that ends when
 * the idle time is up. Any other process passes straight through.
 *
 * The remote script's lock directory is respected: while a connection is preparing the
 * directory (lock/ exists), the listener does not exit; it takes the lock itself while removing
 * the files, so a connection that starts meanwhile waits and then installs anew.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

pid_t __real_fork(void);
pid_t __wrap_fork(void);
pid_t __real_waitpid(pid_t pid, int *status, int options);
pid_t __wrap_waitpid(pid_t pid, int *status, int options);
int __real_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);
int __wrap_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);
void sshpod_became_listener(void);

static int is_listener;
static long idle_seconds;
static volatile sig_atomic_t children;
/* When the last connection ended (or the listener started), in CLOCK_MONOTONIC seconds. */
static volatile time_t idle_since;

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void sshpod_became_listener(void)
{
	const char *value = getenv("SSHPOD_IDLE_EXIT");
	char *end;
	long seconds;

	if (value == NULL || *value == '\0')
		return;
	errno = 0;
	seconds = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || seconds <= 0)
		return;
	is_listener = 1;
	idle_seconds = seconds;
	idle_since = now();
}

pid_t __wrap_fork(void)
{
	pid_t pid = __real_fork();

	if (pid > 0 && is_listener)
		children++;
	else if (pid == 0)
		is_listener = 0; /* a connection's process: never the listener */
	return pid;
}

pid_t __wrap_waitpid(pid_t pid, int *status, int options)
{
	int saved_errno;
	pid_t reaped = __real_waitpid(pid, status, options);

	saved_errno = errno;
	if (reaped > 0 && is_listener && children > 0 && --children == 0)
		idle_since = now();
	errno = saved_errno;
	return reaped;
}

/* Removes everything in the working directory (ours alone: only we can write there). */
static void remove_contents(void)
{
	DIR *dir = opendir(".");
	struct dirent *entry;

	if (dir == NULL)
		return;
	while ((entry = readdir(dir)) != NULL) {
		const char *name = entry->d_name;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "lock") == 0)
			continue;
		/* A directory (the privsep chroot): Linux answers EISDIR, POSIX allows EPERM. */
		if (unlink(name) == -1 && (errno == EISDIR || errno == EPERM))
			rmdir(name);
	}
	closedir(dir);
}

/* Whether lock/ belongs to a remote script that died without removing it. */
static int lock_is_stale(void)
{
	char text[32];
	ssize_t n;
	long pid;
	int fd = open("lock/pid", O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return 0; /* being taken right now: the pid comes next */
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	pid = strtol(text, NULL, 10);
	return pid > 0 && kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

/* Idle for long enough: remove the install and exit. Returns if a connection is preparing. */
static void exit_if_idle(void)
{
	char here[PATH_MAX];
	const char *name;

	if (mkdir("lock", 0700) == -1) {
		if (errno != EEXIST || !lock_is_stale())
			return; /* a connection holds the lock: it is about to use us */
		unlink("lock/pid");
	}
	remove_contents();
	rmdir("lock");
	/* The directory's own name, then its parent's: both are ours, made by the remote script. */
	if (getcwd(here, sizeof(here)) != NULL && (name = strrchr(here, '/')) != NULL && name[1] != '\0') {
		char parent[PATH_MAX];
		const char *parent_name = NULL;

		if (chdir("..") == 0 && rmdir(name + 1) == 0 && getcwd(parent, sizeof(parent)) != NULL) {
			parent_name = strrchr(parent, '/');
			if (parent_name != NULL && parent_name[1] != '\0' && chdir("..") == 0)
				rmdir(parent_name + 1); /* only if no other container's install is in it */
		}
	}
	_exit(0);
}

int __wrap_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask)
{
	struct timespec wait;
	time_t left;
	int ready;

	if (!is_listener || timeout != NULL)
		return __real_ppoll(fds, nfds, timeout, sigmask);
	if (children > 0)
		return __real_ppoll(fds, nfds, NULL, sigmask);
	left = idle_since + idle_seconds - now();
	if (left <= 0) {
		exit_if_idle();
		left = 5; /* a connection is preparing: look again soon */
		idle_since = now() - idle_seconds + left;
	}
	wait.tv_sec = left;
	wait.tv_nsec = 0;
	ready = __real_ppoll(fds, nfds, &wait, sigmask);
	if (ready == 0 && children == 0 && now() - idle_since >= idle_seconds)
		exit_if_idle();
	return ready;
}
