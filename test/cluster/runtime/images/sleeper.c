/* The distroless image's only program (its CMD): waits until it is told to stop. */
#include <signal.h>
#include <unistd.h>

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGTERM, stop); /* as PID 1 it would ignore SIGTERM without a handler */
  for (;;) pause();
}
