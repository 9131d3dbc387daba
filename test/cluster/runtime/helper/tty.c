/* The terminal of a --tty exec: opened in the container's own devpts, made the child's
 * controlling terminal, and relayed to our stdin/stdout by the parent, which also applies
 * "<columns> <rows>" lines from the control fd as the terminal's size. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "nsexec.h"
#include "relay.h"

void become_terminal(struct pty *pty) {
  close(pty->master);
  if (setsid() < 0 || ioctl(pty->slave, TIOCSCTTY, 0) < 0) fail("pty", errno);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(pty->slave, fd) < 0) fail("pty", errno);
  if (pty->slave > 2) close(pty->slave);
}

static int sigchld_pipe[2];

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  if (write(sigchld_pipe[1], "c", 1) < 0) {}
  errno = saved;
}

static bool child_exited(struct watch *w) {
  (void)w;
  return false;
}

struct control {
  int master;
  char buf[256];
  size_t len;
};

static struct control control;

static bool resize_requested(struct watch *w) {
  struct control *c = w->ctx;
  ssize_t n = read(w->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
  if (n <= 0) {
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) w->fd = -1; /* no more resizes */
    return true;
  }
  c->len += (size_t)n;
  c->buf[c->len] = 0;
  char *line = c->buf, *nl;
  while ((nl = strchr(line, '\n'))) {
    *nl = 0;
    unsigned cols, rows;
    if (sscanf(line, "%u %u", &cols, &rows) == 2) {
      struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
      ioctl(c->master, TIOCSWINSZ, &ws);
    }
    line = nl + 1;
  }
  c->len = strlen(line);
  memmove(c->buf, line, c->len);
  if (c->len == sizeof c->buf - 1) c->len = 0; /* a line too long to be ours */
  return true;
}

void tty_parent(struct pty *pty, const struct options *o) {
  close(pty->slave);
  if (status_fd >= 0) close(status_fd);
  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) fail("pty", errno);
  on_signals((const int[]){SIGCHLD, 0}, on_sigchld);
  on_signals(stop_signals, kill_child);
  signal(SIGPIPE, SIG_IGN);

  struct pump pumps[2];
  /* Stdin's end does not end the terminal: a terminal has no half-close (the process ends
   * when it decides to, or when killed). */
  pump_init(&pumps[0], 0, pty->master, ON_EOF_NOTHING);
  pump_init(&pumps[1], pty->master, 1, ON_EOF_CLOSE);
  struct watch watches[2] = {{sigchld_pipe[0], child_exited, NULL},
                             {o->control_fd, resize_requested, &control}};
  int status;
  pid_t r = waitpid(child_pid, &status, WNOHANG); /* it may be gone before SIGCHLD was caught */
  if (r == 0) {
    relay(pumps, 2, watches, 2, -1);
    while (waitpid(child_pid, &status, 0) < 0)
      if (errno != EINTR) _exit(125);
  }
  /* Output written just before the exit may still sit in the terminal: drain it until the
   * terminal reports its end (EIO), or briefly if a background process still holds it. */
  relay(&pumps[1], 1, NULL, 0, 100);
  pump_flush(&pumps[1]);
  _exit(exit_code(status));
}

/* In the container's mount namespace, /dev/ptmx is its own devpts instance: the terminal is
 * /dev/pts/N inside the container, as with runc. */
void open_pty(struct pty *pty, const struct options *o) {
  pty->master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pty->master < 0 || unlockpt(pty->master) < 0) fail("pty", errno);
  pty->slave = ioctl(pty->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pty->slave < 0) fail("pty", errno);
  if (o->uid_set && fchown(pty->slave, o->uid, (gid_t)-1) < 0) fail("pty", errno);
  control.master = pty->master;
  /* A new pty is 0x0, which programs treat as "no size" (busybox `stty size` fails, editors
   * draw nothing) until the client's first resize arrives, and a client may never send one.
   * Start at the classic 80x24, what a terminal emulator opens with. */
  struct winsize initial = {.ws_row = 24, .ws_col = 80};
  if (ioctl(pty->master, TIOCSWINSZ, &initial) < 0) fail("pty", errno);
  if (o->control_fd >= 0) {
    /* A client sends the terminal's size as soon as the exec exists (kubectl does): apply
     * what is already there before the command starts and asks for it. */
    fcntl(o->control_fd, F_SETFL, fcntl(o->control_fd, F_GETFL) | O_NONBLOCK);
    struct watch early = {o->control_fd, resize_requested, &control};
    resize_requested(&early);
  }
}
