// Credentials from exec plugins, kept between connections until shortly before they expire.
// Every ssh runs a new sshpod, and plugins are slow (`aws eks get-token` is a Python start-up,
// hundreds of milliseconds), so without this each connect would pay for one. Only credentials
// that say when they expire are kept, in files only the user can read (as gke-gcloud-auth-plugin
// and kubelogin keep theirs); one the API server rejects is dropped and the plugin runs again.
import { readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writePrivateFile } from '../local-file.ts';
import type { ExecConfig, ExecCredentialStatus } from './exec-credential.ts';

/** A credential this close to its expiry is not used: a connection outlives its first request. */
export const EXPIRY_MARGIN_MS = 60_000;

/** The same plugin invocation for the same API server gives the same credential. */
export function credentialCacheFile(cacheDir: string, exec: ExecConfig, server: string): string {
  const identity = JSON.stringify([server, exec.command, exec.args ?? [], exec.env ?? [], exec.apiVersion ?? '']);
  return join(cacheDir, 'credentials', `${createHash('sha256').update(identity).digest('hex').slice(0, 32)}.json`);
}

export function isReusable(status: ExecCredentialStatus, now: number): boolean {
  if (status.expirationTimestamp === undefined) return false;
  const expires = Date.parse(status.expirationTimestamp);
  return Number.isFinite(expires) && expires - EXPIRY_MARGIN_MS > now;
}

function isCredentialStatus(value: unknown): value is ExecCredentialStatus {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  const optionalString = (name: string): boolean => fields[name] === undefined || typeof fields[name] === 'string';
  return ['token', 'clientCertificateData', 'clientKeyData', 'expirationTimestamp'].every(optionalString) && (typeof fields['token'] === 'string' || typeof fields['clientKeyData'] === 'string');
}

export function readCachedCredential(file: string, now: number): ExecCredentialStatus | undefined {
  try {
    const status: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isCredentialStatus(status) && isReusable(status, now) ? status : undefined;
  } catch {
    return undefined; // absent or damaged: the plugin runs
  }
}

export function writeCachedCredential(file: string, status: ExecCredentialStatus, now: number): void {
  if (isReusable(status, now)) writePrivateFile(file, `${JSON.stringify(status)}\n`);
}

export function forgetCachedCredential(file: string): void {
  rmSync(file, { force: true });
}
