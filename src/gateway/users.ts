// The gateway's registry of people: who may log in with which public keys, where shell mode takes
// them, which Kubernetes identity acts for them, and (static mode) which hostnames they may reach.
// Pure: the YAML is parsed elsewhere (users-source.ts); this checks its shape and says, in one
// line, which field is wrong. Public keys only — the file never holds a secret.
import { createHash } from 'node:crypto';
import { SshpodError } from '../errors.ts';
import { parseHostname } from '../target/hostname.ts';
import { checkLoginName } from '../target/login-name.ts';

/** Key types OpenSSH clients offer and ssh2 verifies. */
const KEY_TYPES = new Set(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);
/** Far above a team, far below trouble: the file is read on every change. */
const MAX_USERS = 10_000;
const MAX_KEYS_PER_USER = 32;
const MAX_PATTERNS = 256;

export interface UserKey {
  type: string;
  /** The key blob as SSH sends it in a publickey request. */
  blob: Buffer;
  /** `SHA256:…` as ssh-keygen -l prints it: what the audit log names. */
  fingerprint: string;
  /** `type base64` without the comment: installed in a pod's authorized_keys (jump mode). */
  line: string;
}

export interface GatewayUser {
  name: string;
  keys: UserKey[];
  /** A hostname in sshpod's grammar without `.sshpod`: shell mode's target. */
  default?: string;
  /** The login in the pod (shell mode; jump mode prepares the pod's sshd for it): root unless told. */
  login: string;
  /** The Kubernetes user the gateway impersonates for this person: the gateway name unless told. */
  kubeUser: string;
  /** Impersonate-Group values. */
  groups: string[];
  /** Static mode: hostname patterns (without `.sshpod`; `*` matches any run of characters). */
  allow: string[];
}

export type UserRegistry = ReadonlyMap<string, GatewayUser>;

/** A login name at the gateway: the names the users file may hold. */
const USER_NAME = /^[a-z_][a-z0-9._-]{0,63}$/i;

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** One `authorized_keys`-style line (no options): type, base64 blob, optional comment. */
export function parseKeyLine(line: string, where: string): UserKey {
  const match = /^\s*([a-z0-9@.-]+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+.*)?$/.exec(line);
  if (!match) throw invalid(`${where} is not a public key line ("ssh-ed25519 AAAA… comment")`);
  const type = match[1] as string;
  if (!KEY_TYPES.has(type)) throw invalid(`${where} has key type "${type}"; the gateway takes ${[...KEY_TYPES].join(', ')}`);
  const blob = Buffer.from(match[2] as string, 'base64');
  // The blob starts with its own type: a line whose two disagree was pasted wrong.
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (length !== type.length || blob.subarray(4, 4 + length).toString('latin1') !== type) throw invalid(`${where}: the key data is not a ${type} key`);
  return { type, blob, fingerprint: fingerprint(blob), line: `${type} ${match[2] as string}` };
}

function invalid(message: string): SshpodError {
  return new SshpodError('config', `users file: ${message}`, { hint: 'see the README, section "Gateway", for the users file' });
}

function stringList(value: unknown, where: string, max: number): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw invalid(`${where} must be a list of strings`);
  if (value.length > max) throw invalid(`${where} has more than ${max} entries`);
  return value as string[];
}

/** Checks a hostname without `.sshpod` (or with it) against sshpod's grammar; returns it without the suffix. */
export function checkTarget(value: string, where: string): string {
  const bare = value.replace(/\.sshpod\.?$/i, '');
  try {
    parseHostname(`${bare}.sshpod`);
  } catch (error) {
    throw invalid(`${where}: ${(error as Error).message}`);
  }
  return bare;
}

const FIELDS = new Set(['keys', 'default', 'login', 'kubeUser', 'groups', 'allow']);

export function parseUsers(document: unknown): UserRegistry {
  const users = (document as { users?: unknown } | null)?.users;
  if (typeof document !== 'object' || document === null || typeof users !== 'object' || users === null || Array.isArray(users)) {
    throw invalid('expected a mapping "users:" of user names to { keys, default }');
  }
  const entries = Object.entries(users as Record<string, unknown>);
  if (entries.length > MAX_USERS) throw invalid(`more than ${MAX_USERS} users`);
  const registry = new Map<string, GatewayUser>();
  for (const [name, raw] of entries) {
    if (!USER_NAME.test(name)) throw invalid(`user name "${name.slice(0, 64)}" may hold only letters, digits, ".", "_" and "-"`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`users.${name} must be a mapping with keys:`);
    const entry = raw as Record<string, unknown>;
    const unknown = Object.keys(entry).find((field) => !FIELDS.has(field));
    if (unknown !== undefined) throw invalid(`users.${name} has an unknown field "${unknown.slice(0, 64)}" (known: ${[...FIELDS].join(', ')})`);
    const keys = stringList(entry['keys'], `users.${name}.keys`, MAX_KEYS_PER_USER).map((line, i) => parseKeyLine(line, `users.${name}.keys[${i}]`));
    const user: GatewayUser = {
      name,
      keys,
      login: 'root',
      kubeUser: name,
      groups: stringList(entry['groups'], `users.${name}.groups`, 64),
      allow: stringList(entry['allow'], `users.${name}.allow`, MAX_PATTERNS).map((pattern, i) => checkPattern(pattern, `users.${name}.allow[${i}]`)),
    };
    for (const field of ['default', 'login', 'kubeUser'] as const) {
      const value = entry[field];
      if (value !== undefined && typeof value !== 'string') throw invalid(`users.${name}.${field} must be a string`);
    }
    if (typeof entry['default'] === 'string') user.default = checkTarget(entry['default'], `users.${name}.default`);
    if (typeof entry['login'] === 'string') {
      try {
        user.login = checkLoginName(entry['login']);
      } catch (error) {
        throw invalid(`users.${name}.login: ${(error as Error).message}`);
      }
    }
    if (typeof entry['kubeUser'] === 'string' && entry['kubeUser'] !== '') user.kubeUser = entry['kubeUser'];
    registry.set(name, user);
  }
  return registry;
}

function checkPattern(pattern: string, where: string): string {
  const bare = pattern.trim().toLowerCase().replace(/\.sshpod\.?$/, '');
  if (!/^[a-z0-9.*-]+$/.test(bare)) throw invalid(`${where} "${pattern.slice(0, 80)}" may hold only a hostname's characters and *`);
  return bare;
}

/** The registered key of `user` whose blob is `blob`, if any. */
export function findKey(user: GatewayUser | undefined, blob: Buffer): UserKey | undefined {
  return user?.keys.find((key) => key.blob.equals(blob));
}

/** Static mode: whether `host` (canonical, without `.sshpod`) matches one of the patterns. */
export function allowedByPatterns(patterns: readonly string[], host: string): boolean {
  const bare = host.toLowerCase().replace(/\.sshpod\.?$/, '');
  return patterns.some((pattern) => new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(bare));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
