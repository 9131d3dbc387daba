/* Byte relay between file descriptors with a poll loop: used for a TTY exec (our stdin and
 * stdout <-> the pseudo-terminal master) and for a pod connection (stdin and stdout <-> a TCP
 * socket). Every fd it touches is switched to non-blocking, so a peer that stops reading in
 * one direction never stalls the other direction. */
#ifndef RELAY_H
#define RELAY_H

#include <stdbool.h>
#include <stddef.h>

enum on_eof {
  ON_EOF_CLOSE,    /* close `to` (a pipe or our stdout: the reader sees end of stream) */
  ON_EOF_SHUTDOWN, /* shutdown(to, SHUT_WR): a TCP half-close, the peer can still answer */
  ON_EOF_NOTHING,  /* leave `to` alone (a pty master has no half-close) */
};

struct pump {
  int from, to;
  enum on_eof on_eof;
  /* internal state */
  char *buf;
  size_t len, off;
  bool done;
};

/* An extra fd to watch for readability; `on_ready` returns false to end the relay. */
struct watch {
  int fd;
  bool (*on_ready)(struct watch *w);
  void *ctx;
};

void pump_init(struct pump *p, int from, int to, enum on_eof on_eof);

/* Runs until every pump is done, a watch ends it, or (idle_ms >= 0) nothing moved for idle_ms. */
void relay(struct pump *pumps, int npumps, struct watch *watches, int nwatches, int idle_ms);

/* Writes whatever a pump still holds, blocking; used before exiting. */
void pump_flush(struct pump *p);

#endif
