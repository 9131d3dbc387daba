#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* Large enough that a bulk transfer costs few syscalls per MiB. */
enum { BUF_SIZE = 256 * 1024, MAX_FDS = 8 };

static void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void pump_init(struct pump *p, int from, int to, enum on_eof on_eof) {
  p->from = from;
  p->to = to;
  p->on_eof = on_eof;
  p->buf = malloc(BUF_SIZE);
  if (!p->buf) abort();
  p->len = p->off = 0;
  p->done = false;
  set_nonblocking(from);
  set_nonblocking(to);
}

static void finish(struct pump *p) {
  p->done = true;
  p->len = p->off = 0;
  if (p->on_eof == ON_EOF_CLOSE) close(p->to);
  else if (p->on_eof == ON_EOF_SHUTDOWN) shutdown(p->to, SHUT_WR);
}

static void step_write(struct pump *p) {
  ssize_t n = write(p->to, p->buf + p->off, p->len - p->off);
  if (n > 0) {
    p->off += (size_t)n;
    if (p->off == p->len) p->len = p->off = 0;
  } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
    finish(p); /* the reader went away (EPIPE, reset): nothing more can be delivered */
  }
}

/* Returns true when something was read (or the stream ended). */
static bool step_read(struct pump *p) {
  ssize_t n = read(p->from, p->buf, BUF_SIZE);
  if (n > 0) {
    p->len = (size_t)n;
    p->off = 0;
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
  /* 0 is end of stream; a pty master reports EIO once its terminal side is closed; a reset
   * connection has nothing more to give either. */
  finish(p);
  return true;
}

void relay(struct pump *pumps, int npumps, struct watch *watches, int nwatches, int idle_ms) {
  struct pollfd fds[MAX_FDS];
  int owner[MAX_FDS];
  for (;;) {
    int n = 0;
    for (int i = 0; i < npumps && n < MAX_FDS; i++) {
      struct pump *p = &pumps[i];
      if (p->done) continue;
      fds[n] = p->len ? (struct pollfd){p->to, POLLOUT, 0} : (struct pollfd){p->from, POLLIN, 0};
      owner[n++] = i;
    }
    if (n == 0) return;
    for (int i = 0; i < nwatches && n < MAX_FDS; i++) {
      if (watches[i].fd < 0) continue;
      fds[n] = (struct pollfd){watches[i].fd, POLLIN, 0};
      owner[n++] = npumps + i;
    }
    int ready = poll(fds, (nfds_t)n, idle_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return; /* idle for idle_ms, or poll itself failed */
    for (int k = 0; k < n; k++) {
      if (!fds[k].revents) continue;
      if (owner[k] >= npumps) {
        struct watch *w = &watches[owner[k] - npumps];
        if (!w->on_ready(w)) return;
        continue;
      }
      struct pump *p = &pumps[owner[k]];
      if (fds[k].revents & POLLNVAL) finish(p);
      else if (p->len) step_write(p);
      else if (step_read(p) && p->len) step_write(p); /* most writes succeed at once */
    }
  }
}

void pump_flush(struct pump *p) {
  while (!p->done && p->len) {
    struct pollfd f = {p->to, POLLOUT, 0};
    if (poll(&f, 1, -1) < 0 && errno != EINTR) return;
    step_write(p);
  }
}
