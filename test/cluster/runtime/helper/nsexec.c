/* nsexec: the one primitive the test cluster's runtime starts processes with (pod sandboxes,
 * container main processes, execs, pod connections). Each step runs only when asked, always in
 * this order:
 *
 *   --die-with PID        SIGKILL us when PID (the runtime's Node process) dies; exit if it
 *                         already has. Survives exec, so a crashed runtime leaves nothing running.
 *   --cgroup FILE         write ourselves into a cgroup.procs file (the pod's cgroup)
 *   --join NSFILE         setns() into /proc/<pid>/ns/<x>, repeatable, in the order given
 *   --unshare LIST        new namespaces: comma list of net,mnt,uts,ipc,pid
 *   --hostname NAME       sethostname (after --unshare uts)
 *   --tty                 open a pseudo-terminal in the (joined) mount namespace's /dev/ptmx
 *   (fork)                when a PID namespace was joined or created, or with --tty: the parent
 *                         stays outside, waits (or relays the terminal) and exits with the
 *                         child's status (128+signal when killed); SIGTERM to it kills the
 *                         child's process group
 *   --pid-fd FD           the parent writes "pid <child's pid>\n" there first
 *   --pivot-root DIR      make DIR the root of our mount namespace and drop the old root
 *   --uid N --gid N       become that user (supplementary groups: just the gid)
 *   --cwd DIR             chdir, as that user, like runc
 *   --clear-env --env K=V the environment of the command
 *   --status-fd FD        "exec\n" just before execve, "fail <stage> <errno>\n" on a failure;
 *                         close-on-exec, so EOF after "exec" means the command is running
 *   --control-fd FD       with --tty: lines "<columns> <rows>\n" resize the terminal
 *   --connect PORT        instead of a command: connect to 127.0.0.1:PORT ("connected\n" on the
 *                         status fd) and relay stdin/stdout to it, half-closes included
 *   -- COMMAND [ARG...]
 *
 * Exit status: the command's, or 125 when a step failed, 126/127 when the exec itself failed
 * (not executable / not found). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "nsexec.h"
#include "relay.h"

int status_fd = -1;
pid_t child_pid;

void fail(const char *stage, int err) {
  if (status_fd >= 0) dprintf(status_fd, "fail %s %d\n", stage, err);
  else fprintf(stderr, "nsexec: %s: %s\n", stage, strerror(err));
  _exit(strcmp(stage, "exec") != 0 ? 125 : err == ENOENT ? 127 : 126);
}

static void usage(const char *why) __attribute__((noreturn));
static void usage(const char *why) {
  fprintf(stderr, "nsexec: %s (see the comment at the top of nsexec.c)\n", why);
  _exit(125);
}

static long number(const char *s) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || end == s || v < 0) usage("expected a non-negative number");
  return v;
}

static int namespace_flags(const char *list) {
  static const struct { const char *name; int flag; } known[] = {
      {"net", CLONE_NEWNET}, {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS},
      {"ipc", CLONE_NEWIPC}, {"pid", CLONE_NEWPID},
  };
  int flags = 0;
  char *copy = strdup(list), *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    size_t i;
    for (i = 0; i < sizeof known / sizeof known[0] && strcmp(known[i].name, t) != 0; i++) {}
    if (i == sizeof known / sizeof known[0]) usage("unknown namespace in --unshare");
    flags |= known[i].flag;
  }
  free(copy);
  return flags;
}

static void parse(int argc, char **argv, struct options *o) {
  enum { DIE_WITH = 256, CGROUP, JOIN, UNSHARE, HOSTNAME, TTY, PID_FD, STATUS_FD, CONTROL_FD,
         PIVOT_ROOT, UID, GID, CWD, CLEAR_ENV, ENV, CONNECT };
  static const struct option longopts[] = {
      {"die-with", 1, 0, DIE_WITH}, {"cgroup", 1, 0, CGROUP}, {"join", 1, 0, JOIN},
      {"unshare", 1, 0, UNSHARE}, {"hostname", 1, 0, HOSTNAME}, {"tty", 0, 0, TTY},
      {"pid-fd", 1, 0, PID_FD}, {"status-fd", 1, 0, STATUS_FD}, {"control-fd", 1, 0, CONTROL_FD},
      {"pivot-root", 1, 0, PIVOT_ROOT}, {"uid", 1, 0, UID}, {"gid", 1, 0, GID},
      {"cwd", 1, 0, CWD}, {"clear-env", 0, 0, CLEAR_ENV}, {"env", 1, 0, ENV},
      {"connect", 1, 0, CONNECT}, {0, 0, 0, 0},
  };
  memset(o, 0, sizeof *o);
  o->pid_fd = o->status_fd = o->control_fd = -1;
  int c;
  while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
    switch (c) {
    case DIE_WITH: o->die_with = (pid_t)number(optarg); break;
    case CGROUP: o->cgroup = optarg; break;
    case JOIN:
      if (o->njoins == MAX_JOINS) usage("too many --join");
      o->joins[o->njoins++] = optarg;
      break;
    case UNSHARE: o->unshare_flags = namespace_flags(optarg); break;
    case HOSTNAME: o->hostname = optarg; break;
    case TTY: o->tty = true; break;
    case PID_FD: o->pid_fd = (int)number(optarg); break;
    case STATUS_FD: o->status_fd = (int)number(optarg); break;
    case CONTROL_FD: o->control_fd = (int)number(optarg); break;
    case PIVOT_ROOT: o->pivot_root = optarg; break;
    case UID: o->uid = (uid_t)number(optarg); o->uid_set = true; break;
    case GID: o->gid = (gid_t)number(optarg); o->gid_set = true; break;
    case CWD: o->cwd = optarg; break;
    case CLEAR_ENV: o->clear_env = true; break;
    case ENV:
      if (o->nenv == MAX_ENV) usage("too many --env");
      o->env[o->nenv++] = optarg;
      break;
    case CONNECT: o->connect_port = (int)number(optarg); break;
    default: usage("unknown option");
    }
  }
  o->argv = argv + optind;
  if (!o->connect_port && !o->argv[0]) usage("no command");
}

static void die_with_parent(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("die-with", errno);
  if (getppid() != parent) _exit(125); /* it died before the line above: nobody wants us */
}

static void join_cgroup(const char *procs) {
  int fd = open(procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, "0", 1) != 1) fail("cgroup", errno);
  close(fd);
}

/* Returns true when a PID namespace was joined (it applies to our children only). */
static bool join_namespaces(const struct options *o) {
  int fds[MAX_JOINS];
  bool pid = false;
  /* Open every file first: after joining a mount namespace, /proc is another one. */
  for (int i = 0; i < o->njoins; i++) {
    fds[i] = open(o->joins[i], O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) fail("setns", errno);
  }
  for (int i = 0; i < o->njoins; i++) {
    if (ioctl(fds[i], NS_GET_NSTYPE) == CLONE_NEWPID) pid = true;
    if (setns(fds[i], 0) < 0) fail("setns", errno);
    close(fds[i]);
  }
  return pid;
}

static void unshare_namespaces(int flags) {
  if (unshare(flags) < 0) fail("unshare", errno);
  /* Nothing we mount may propagate back to the host (systemd makes / shared). */
  if ((flags & CLONE_NEWNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    fail("unshare", errno);
}

int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void kill_child(int sig) {
  (void)sig;
  kill(-child_pid, SIGKILL);
  kill(child_pid, SIGKILL);
}

void on_signals(int const *sigs, void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  for (; *sigs; sigs++) sigaction(*sigs, &sa, NULL);
}

const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP, 0};

static void wait_parent(void) __attribute__((noreturn));
static void wait_parent(void) {
  on_signals(stop_signals, kill_child);
  /* Hold none of the child's streams: their readers must see EOF when the child's side ends. */
  close_range(0, ~0U, 0);
  int status;
  while (waitpid(child_pid, &status, 0) < 0)
    if (errno != EINTR) _exit(125);
  _exit(exit_code(status));
}

/* Returns 0 in the child, which continues with the remaining steps. */
static pid_t fork_child(const struct options *o) {
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0) fail("fork", errno);
  pid_t pid = fork();
  if (pid < 0) fail("fork", errno);
  if (pid == 0) {
    /* A child in a new PID namespace sees getppid() == 0, so it cannot check its parent the
     * way die_with_parent does; it waits for the parent's go instead. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("fork", errno);
    close(go[1]);
    char c;
    ssize_t n;
    while ((n = read(go[0], &c, 1)) < 0 && errno == EINTR) {}
    if (n != 1) _exit(125);
    close(go[0]);
    return 0;
  }
  child_pid = pid;
  close(go[0]);
  if (o->pid_fd >= 0) dprintf(o->pid_fd, "pid %d\n", pid);
  if (!o->tty) setpgid(pid, pid); /* also done by the child: whichever runs first */
  if (write(go[1], "g", 1) != 1) _exit(125);
  close(go[1]);
  return pid;
}

/* runc's way: pivot_root(".", ".") stacks the old root on top of the new one; detaching it
 * leaves the new root alone, without needing a directory for the old one. */
static void pivot_root(const char *dir) {
  int old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (old_root < 0 || chdir(dir) < 0) fail("pivot", errno);
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot", errno);
  if (fchdir(old_root) < 0) fail("pivot", errno);
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) fail("pivot", errno);
  if (umount2(".", MNT_DETACH) < 0) fail("pivot", errno);
  if (chdir("/") < 0) fail("pivot", errno);
  close(old_root);
}

static void become_user(const struct options *o) {
  int deathsig = 0;
  prctl(PR_GET_PDEATHSIG, &deathsig);
  if (o->gid_set && (setgroups(1, &o->gid) < 0 || setgid(o->gid) < 0)) fail("user", errno);
  if (o->uid_set && setuid(o->uid) < 0) fail("user", errno);
  /* The kernel forgets the parent-death signal when credentials change. */
  if (deathsig) prctl(PR_SET_PDEATHSIG, deathsig);
}

static void connect_and_relay(const struct options *o) __attribute__((noreturn));
static void connect_and_relay(const struct options *o) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail("connect", errno);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->connect_port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) fail("connect", errno);
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* like Go's net.Dial in kubelet */
  if (status_fd >= 0) {
    dprintf(status_fd, "connected\n");
    close(status_fd);
  }
  signal(SIGPIPE, SIG_IGN);
  struct pump pumps[2];
  pump_init(&pumps[0], 0, s, ON_EOF_SHUTDOWN);
  pump_init(&pumps[1], s, 1, ON_EOF_CLOSE);
  relay(pumps, 2, NULL, 0, -1);
  _exit(0);
}

int main(int argc, char **argv) {
  struct options o;
  parse(argc, argv, &o);
  status_fd = o.status_fd;
  if (status_fd >= 0) fcntl(status_fd, F_SETFD, FD_CLOEXEC);
  if (o.control_fd >= 0) fcntl(o.control_fd, F_SETFD, FD_CLOEXEC);

  if (o.die_with) die_with_parent(o.die_with);
  if (o.cgroup) join_cgroup(o.cgroup);
  bool new_pid_namespace = join_namespaces(&o);
  if (o.unshare_flags) unshare_namespaces(o.unshare_flags);
  if (o.unshare_flags & CLONE_NEWPID) new_pid_namespace = true;
  if (o.hostname && sethostname(o.hostname, strlen(o.hostname)) < 0) fail("hostname", errno);

  struct pty pty = {-1, -1};
  if (o.tty) open_pty(&pty, &o);
  if (new_pid_namespace || o.tty) {
    if (fork_child(&o) > 0) {
      if (o.tty) tty_parent(&pty, &o);
      wait_parent();
    }
    if (o.tty) become_terminal(&pty);
    else setpgid(0, 0);
  }

  if (o.pivot_root) pivot_root(o.pivot_root);
  become_user(&o);
  if (o.cwd && chdir(o.cwd) < 0) fail("chdir", errno);
  if (o.connect_port) connect_and_relay(&o);

  if (o.clear_env) clearenv();
  for (int i = 0; i < o.nenv; i++) putenv(o.env[i]);
  if (status_fd >= 0) dprintf(status_fd, "exec\n");
  execvp(o.argv[0], o.argv);
  fail("exec", errno);
}
