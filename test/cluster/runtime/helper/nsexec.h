/* What nsexec.c and tty.c share. */
#ifndef NSEXEC_H
#define NSEXEC_H

#include <stdbool.h>
#include <sys/types.h>

enum { MAX_JOINS = 8, MAX_ENV = 4096 };

struct options {
  pid_t die_with;
  const char *cgroup;
  const char *joins[MAX_JOINS];
  int njoins;
  int unshare_flags;
  const char *hostname;
  bool tty;
  int pid_fd, status_fd, control_fd;
  const char *pivot_root;
  bool uid_set, gid_set;
  uid_t uid;
  gid_t gid;
  const char *cwd;
  bool clear_env;
  char *env[MAX_ENV];
  int nenv;
  int connect_port;
  char **argv;
};

struct pty {
  int master, slave;
};

/* The status fd ("fail <stage> <errno>" goes there), -1 without one. */
extern int status_fd;
/* The forked child, once there is one. */
extern pid_t child_pid;
extern const int stop_signals[];

/* Reports the failure and exits: 125, or 126/127 for the exec itself. */
void fail(const char *stage, int err) __attribute__((noreturn));
/* A wait status as a shell reports it: the code, or 128 + the signal. */
int exit_code(int status);
/* Signal handler: SIGKILL the child's process group. */
void kill_child(int sig);
void on_signals(int const *sigs, void (*handler)(int));

/* tty.c */
void open_pty(struct pty *pty, const struct options *o);
void become_terminal(struct pty *pty);
void tty_parent(struct pty *pty, const struct options *o) __attribute__((noreturn));

#endif
