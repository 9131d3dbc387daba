// The sshpod command line: a thin table of commands, each loaded with `await import(...)` only when
// it runs, so that `sshpod proxy` — started by ssh for every connection — loads nothing else.
// Usage errors (an unknown option, a missing argument) end like every failure: an `sshpod:` line, a
// `hint:` line, and exit status 2 (exit-codes.ts).
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SSHPOD_VERSION } from '../version.ts';
import { applyLogLevel, runAction } from './run-action.ts';
import { EXIT_OK, EXIT_STATUS_HELP, EXIT_USAGE } from '../exit-codes.ts';
import { log } from '../log.ts';
import { keepYoungGenerationSmall } from '../proxy/young-generation.ts';

const logLevelOption = (): Option =>
  new Option('--log-level <level>', 'diagnostics on stderr: error, info or debug (a timeline of the connect path); also SSHPOD_LOG_LEVEL').choices([
    'error',
    'info',
    'debug',
  ]);

function gatewayNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('must be a whole number');
  return number;
}

/** Commander's own errors as sshpod words them: `sshpod: …` instead of `error: …`. */
function asSshpodLine(text: string): string {
  return text.replace(/^error: /, 'sshpod: ');
}

export function buildProgram(): Command {
  const program = new Command('sshpod')
    .description('Reach any Kubernetes container with your own OpenSSH client.')
    .version(SSHPOD_VERSION, '-v, --version')
    .addOption(logLevelOption())
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: (text, write) => write(asSshpodLine(text)) })
    .exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? EXIT_OK : EXIT_USAGE))
    .addHelpText(
      'after',
      `
Examples:
  sshpod configure                   # add the Host *.sshpod block to ~/.ssh/config
  ssh root@pod--api.namespace--prod.sshpod
  scp ./build.tgz app@deployment--web.namespace--shop.context--eu.sshpod:/tmp/
  sftp root@container--sidecar.pod--debug.namespace--tools.sshpod
  sshpod doctor pod--api.namespace--prod.sshpod   # why can't I connect?
  sshpod last-error                  # what the last failed connection said
  ssh root@template--debug.sshpod    # a pod made for this connection, deleted after it
  sshpod ls                          # where sshpod's sshd runs, and the pods it made
  sshpod cleanup --dry-run           # what sshpod would take away
  source <(sshpod completion bash)   # TAB-complete pod hostnames (in ~/.bashrc)
  kubectl ssh -n prod api            # the kubectl plugin (kubectl-ssh, installed beside sshpod)
  sshpod web                         # a terminal into any pod from the browser (prints its URL)
${EXIT_STATUS_HELP}`,
    );
  program.hook('preAction', (_program, command) => applyLogLevel(command.optsWithGlobals<{ logLevel?: string }>().logLevel));

  program
    .command('proxy')
    .description('the ProxyCommand of the *.sshpod block: relay ssh to the sshd sshpod runs in the pod')
    .requiredOption('--host <host>', 'the hostname ssh was given (%h)')
    .option('--user <user>', 'the remote user ssh logs in as (%r)')
    .option('--port <port>', 'the port ssh was given (%p); only used to pin the host key', (value) => {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('must be a TCP port number');
      return port;
    })
    .option('--transport <transport>', 'auto (default; or SSHPOD_TRANSPORT): port-forward, or exec when port-forward is refused; port-forward; exec')
    .addHelpText(
      'after',
      `
ssh runs this for you through ~/.ssh/config; stdout carries the SSH stream only. When the
connection fails and ssh has sent stderr to /dev/null (ControlPersist), sshpod answers ssh so that
ssh itself prints the sshpod: and hint: lines; sshpod last-error shows them again.
Example (what ssh runs):
  sshpod proxy --host pod--api.namespace--prod.sshpod --user root --port 22`,
    )
    .action(async (options: { host: string; user?: string; port?: number; transport?: string }) => {
      keepYoungGenerationSmall();
      log.debug(`sshpod ${SSHPOD_VERSION} proxy --host ${options.host} --user ${options.user ?? ''}`);
      await runAction(
        async () => {
          const { runProxy } = await import('../proxy/connect.ts');
          log.debug('modules loaded');
          await runProxy(options);
        },
        async (error) => (await import('../failure/report.ts')).reportProxyFailure(error, options),
      );
    });

  program
    .command('configure')
    .description('add the Host *.sshpod block to ~/.ssh/config (idempotent, with a backup) and create sshpod\'s keys')
    .option('--print', 'print the block instead of writing it')
    .option('--yes', 'do not ask before writing')
    .addHelpText(
      'after',
      `
The block goes first in ~/.ssh/config, so that no Host * or Match block before it can override it.
Examples:
  sshpod configure --print           # see the block
  sshpod configure --yes             # write it without asking`,
    )
    .action(async (options: { print?: boolean; yes?: boolean }) => {
      await runAction(async () => {
        const { configure } = await import('./configure.ts');
        await configure(options);
      });
    });

  program
    .command('unconfigure')
    .description('remove the sshpod block from ~/.ssh/config (with a backup)')
    .option('--purge', "also delete sshpod's keys and known_hosts (~/.cache/sshpod)")
    .addHelpText('after', '\nExample:\n  sshpod unconfigure --purge')
    .action(async (options: { purge?: boolean }) => {
      await runAction(async () => {
        const { unconfigure } = await import('./configure.ts');
        unconfigure(options);
      });
    });

  program
    .command('doctor')
    .argument('[hostname]', 'also check what connecting to this *.sshpod hostname needs (its context, namespace and RBAC permissions)')
    .description("check, step by step, what sshpod needs; a hint for each check that fails")
    .addHelpText(
      'after',
      `
Checks the ssh config block (present, the first match for *.sshpod, not shadowed, ControlPath
length), sshpod's keys and their modes, the node and OpenSSH versions, the kubeconfig and whether
each context's API server answers, the last failed connection, and — given a hostname — the RBAC
permissions sshpod needs there. Exit status 0 only when every check passes.
Examples:
  sshpod doctor
  sshpod doctor deployment--web.namespace--shop.context--eu.sshpod`,
    )
    .action(async (hostname: string | undefined) => {
      await runAction(async () => {
        const { runDoctor } = await import('../doctor/run-doctor.ts');
        return runDoctor(hostname);
      });
    });

  program
    .command('last-error')
    .description('show what the last failed connection said (kept in ~/.cache/sshpod/last-failure.json)')
    .option('--timeline', 'also show the timeline of that run (what --log-level debug would have printed)')
    .addHelpText('after', '\nExamples:\n  sshpod last-error\n  sshpod last-error --timeline')
    .action(async (options: { timeline?: boolean }) => {
      await runAction(async () => {
        const { showLastError } = await import('./last-error.ts');
        showLastError(options);
      });
    });

  program
    .command('ls')
    .description("list the pods where sshpod's sshd is installed (as this machine remembers) and the pods sshpod made on demand")
    .option('--context <context>', 'the kubeconfig context (name or hostname form); default: the current one')
    .option('-n, --namespace <namespace>', "the namespace; default: the context's")
    .option('-A, --all-namespaces', 'every namespace')
    .option('--check', "also look inside each pod with sshpod's sshd (one exec each): running, port, sessions, idle")
    .addHelpText(
      'after',
      `
Columns: context, namespace, pod, container, state, port, idle time, owner. On-demand pods are
found with one LIST (label app.kubernetes.io/managed-by=sshpod); installed sshds come from what
this machine remembers (~/.cache/sshpod/targets), each checked with one GET of its pod.
Examples:
  sshpod ls
  sshpod ls -A --check
  sshpod ls --context eu -n shop`,
    )
    .action(async (options: { context?: string; namespace?: string; allNamespaces?: boolean; check?: boolean }) => {
      await runAction(async () => (await import('../housekeeping/ls.ts')).runLs(options));
    });

  program
    .command('cleanup')
    .argument('[hostname]', 'clean up after this *.sshpod hostname only')
    .description("stop sshpod's sshd and remove its files in pods, delete on-demand pods, prune what sshpod keeps locally")
    .option('--all', 'everything: every sshd this machine remembers, every pod you made on demand, finished sshpod pods')
    .option('--dry-run', 'change nothing; say what would be done')
    .addHelpText(
      'after',
      `
Without a hostname or --all, only what is stale goes: remembered pods that are gone, finished or
abandoned on-demand pods. Always: known_hosts pins that lead nowhere, connection-sharing sockets no
ssh master listens on. Pods it cannot reach (RBAC, gone) are reported, not fatal.
Examples:
  sshpod cleanup --dry-run
  sshpod cleanup pod--api.namespace--prod.sshpod
  sshpod cleanup template--debug.sshpod
  sshpod cleanup --all`,
    )
    .action(async (hostname: string | undefined, options: { all?: boolean; dryRun?: boolean }) => {
      await runAction(async () => (await import('../housekeeping/cleanup.ts')).runCleanup(hostname, options));
    });

  program
    .command('gateway')
    .description("serve SSH for a team: jump (ssh -J user@gw) to any pod the cluster's RBAC allows, or a shell in your default target")
    .requiredOption('--users <source>', 'the users file (YAML), or configmap/NAMESPACE/NAME or secret/NAMESPACE/NAME (key users.yaml); reloaded on change')
    .option('--listen <host:port>', 'where to accept SSH', '127.0.0.1:2222')
    .option('--host-key <file>', "the gateway's host key (repeatable); default: a new one for each run", (value: string, previous: string[] = []) => [...previous, value])
    .option('--audit <file>', 'the audit log (JSON lines); default: stdout')
    .option('--metrics <host:port>', 'serve Prometheus metrics on http://HOST:PORT/metrics')
    .addOption(new Option('--authorization <mode>', 'impersonate: the cluster decides, acting as each user; static: the allow lists of the users file').choices(['impersonate', 'static']).default('impersonate'))
    .option('--templates <dir>', 'where template--NAME finds NAME.yaml (besides the built-in templates)')
    .option('--web <host:port>', 'also serve the web terminal there; sign in with: ssh -p PORT USER@GATEWAY -s sshpod-web')
    .option('--reload <seconds>', 'how often to look for changed users', gatewayNumber, 2)
    .option('--auth-timeout <seconds>', 'time to authenticate', gatewayNumber)
    .option('--max-auth-tries <n>', 'failed attempts per connection', gatewayNumber)
    .option('--rate <n>', 'new connections per source address and minute', gatewayNumber)
    .option('--max-connections <n>', 'connections at once', gatewayNumber)
    .option('--max-unauthenticated <n>', 'connections not yet authenticated at once', gatewayNumber)
    .option('--max-sessions <n>', 'sessions and jumps at once', gatewayNumber)
    .option('--max-sessions-per-user <n>', 'sessions and jumps at once per user', gatewayNumber)
    .option('--idle-timeout <seconds>', 'close connections idle this long (0: never)', gatewayNumber)
    .option('--keepalive <seconds>', 'keep-alive interval', gatewayNumber)
    .option('--drain <seconds>', 'on SIGTERM, how long open sessions may finish', gatewayNumber)
    .addHelpText(
      'after',
      `
Examples:
  sshpod gateway --users gateway-users.yaml --listen 0.0.0.0:2222 --host-key /etc/sshpod/host_key --metrics 0.0.0.0:9090
  ssh -p 2222 alice@gw.example.com                                  # a shell in alice's default target
  ssh -J alice@gw.example.com:2222 root@pod--api.namespace--prod.sshpod`,
    )
    .action(async (options: Record<string, unknown>) => {
      await runAction(async () => (await import('../gateway/cli-options.ts')).startFromCli(options));
    });

  program
    .command('completion')
    .description('print a shell script that TAB-completes sshpod hostnames for ssh, scp, sftp, rsync and kubectl ssh')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      `
Hostnames come from the cluster (contexts, namespaces, pods, workloads) and from template files,
cached for 30 s in ~/.cache/sshpod/completion; other words complete as before.
Examples:
  source <(sshpod completion bash)             # in ~/.bashrc, after bash-completion
  source <(sshpod completion zsh)              # in ~/.zshrc, after compinit
  sshpod completion fish | source              # in ~/.config/fish/config.fish`,
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      await runAction(async () => {
        const { completionScript, thisProgram } = await import('../completion/script.ts');
        process.stdout.write(completionScript(shell, thisProgram()));
      });
    });

  program
    .command('web')
    .description('a terminal into any pod from the browser: prints the page\'s URL (with its access token) on stdout')
    .option('--listen <address:port>', 'where to listen (loopback unless told otherwise)', '127.0.0.1:7681')
    .option('--open <hostname>', 'the page opens a terminal on this *.sshpod hostname when loaded')
    .option('--heartbeat <seconds>', 'how long a terminal and its on-demand pod outlive the page\'s last heartbeat', '60')
    .option('--allow-host <name>', 'another name the server may be reached by (Host header), repeatable', (value: string, all: string[] = []) => [...all, value])
    .option('--audit-log <file>', 'append the audit trail (JSON lines) there instead of stderr')
    .addHelpText(
      'after',
      `
Opens nothing by itself: open the printed URL in a browser. Terminals run a shell with a pty through
the Kubernetes exec API (pods/exec); template--NAME hostnames start a pod, deleted when its terminal
is closed or the page's heartbeat stops. SIGTERM or Ctrl-C ends every terminal and deletes the pods.
Examples:
  sshpod web
  sshpod web --open pod--api.namespace--prod.sshpod
  sshpod web --listen 127.0.0.1:8080 --heartbeat 120`,
    )
    .action(async (options: { listen?: string; open?: string; heartbeat?: string; allowHost?: string[]; auditLog?: string }) => {
      await runAction(async () => (await import('../web/standalone.ts')).runWeb(options));
    });

  for (const command of program.commands) command.showHelpAfterError(`hint: sshpod ${command.name()} --help shows its usage`);
  program.showHelpAfterError('hint: sshpod --help shows the commands');
  return program;
}

// Entries whose words are not commander's to read: `kubectl ssh …` (kubectl's flag grammar, from
// bin/kubectl-ssh.cjs), the shells' completion callbacks (the words being typed, flags and all),
// and the guard an on-demand connection starts beside itself (src/ondemand/guard.ts).
const rawEntries = new Map<string, () => Promise<(words: readonly string[]) => Promise<never>>>([
  ['__kubectl-ssh', async () => (await import('../kubectl-plugin/main.ts')).runPlugin],
  ['__complete', async () => (await import('../completion/complete.ts')).runCompletion],
  ['__ondemand-guard', async () => (await import('../ondemand/guard.ts')).runGuard],
]);
const rawEntry = rawEntries.get(process.argv[2] ?? '');
if (rawEntry) void rawEntry().then((run) => run(process.argv.slice(3)));
else void buildProgram().parseAsync(process.argv);
