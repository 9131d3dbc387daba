// The sshd_config sshpod installs next to sshd. Each line is there for a reason:
// loopback only (the port-forward reaches it, nothing else can), public keys only, StrictModes
// off because the files may live under /tmp or a volume, whose modes StrictModes rejects (what
// defends them is below), and the forwarding and SFTP features that ssh, scp, sftp, rsync and
// editors' remote modes use.
//
// Every file is named /proc/self/cwd/<name>: sshd runs in its install directory and keeps it
// (bundles/compat/keep-cwd.c), so each sshd process resolves these names in the directory it
// holds by inode — never through a path another uid of the container could rename or replace.

/** Where sshd finds its files: its own working directory, the install directory. */
export const INSTALL_DIR = '/proc/self/cwd';

export interface SshdConfigInput {
  /** Variables every session gets, as `kubectl exec` would show them. */
  environment: Array<[string, string]>;
  sshpodVersion: string;
  /** Appended to the SSH banner (see install-id.ts). */
  installId: string;
  /** The view of a container without a shell: sessions are chrooted into its root filesystem
   *  (a path the prepare script made, see its view mode). */
  chrootDirectory?: string;
}

function quoteArgument(value: string): string {
  // sshd splits arguments like a shell: inside double quotes, \ escapes \, " and '.
  return `"${value.replace(/[\\"']/g, (c) => `\\${c}`)}"`;
}

export function renderSshdConfig(input: SshdConfigInput): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(input.installId)) throw new Error(`bad install id ${input.installId}`);
  const path = (name: string): string => `${INSTALL_DIR}/${name}`;
  const lines = [
    `# Written by sshpod ${input.sshpodVersion}. Rewritten whenever sshpod installs a new sshd here.`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path('ssh_host_ed25519_key')}`,
    `PidFile ${path('sshd.pid')}`,
    `AuthorizedKeysFile ${path('authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitEmptyPasswords no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'PermitUserEnvironment no',
    'AllowAgentForwarding yes',
    'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding yes',
    'GatewayPorts no',
    'X11Forwarding no',
    'PermitTTY yes',
    'PrintMotd no',
    'UseDNS no',
    'Subsystem sftp internal-sftp',
    // Editors and ControlMaster open many sessions over one connection; many ssh processes may
    // connect at once right after sshd starts.
    'MaxSessions 64',
    'MaxStartups 100:30:200',
    'ClientAliveInterval 30',
    'ClientAliveCountMax 4',
    'LogLevel ERROR',
    `VersionAddendum ${input.installId}`,
  ];
  if (input.chrootDirectory !== undefined) {
    if (!/^\/[A-Za-z0-9/._-]+$/.test(input.chrootDirectory)) throw new Error(`bad chroot directory ${input.chrootDirectory}`);
    lines.push(`ChrootDirectory ${input.chrootDirectory}`);
    // The view's home is the target's, where ~/.ssh/rc would be a file of the target's choosing.
    lines.push('PermitUserRC no');
  }
  // sshd honours only the first SetEnv line, so every variable goes on one.
  if (input.environment.length > 0) {
    lines.push(`SetEnv ${input.environment.map(([name, value]) => quoteArgument(`${name}=${value}`)).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
