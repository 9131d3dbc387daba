// Who may talk to the web terminal server, decided from a request's headers alone (pure):
//  - the access token, as Jupyter does it: in the URL once (?token=), then in a cookie the server
//    sets (HttpOnly, SameSite=Strict, named after the port: cookies are not port-isolated), or in
//    an Authorization: Bearer header; compared in constant time;
//  - the Host header against the names the server answers to: a page of another site that has
//    rebound its DNS name to 127.0.0.1 sends its own name there (DNS rebinding);
//  - the Origin of a WebSocket (and of any request that has one) against the server's own origin:
//    browsers send WebSockets cross-site with cookies, so without this any site could open a
//    terminal in the person's name (cross-site WebSocket hijacking, CSRF).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** 32 random bytes, URL-safe: as strong as a key, short enough to paste. */
export function newAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokensMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieName(port: number): string {
  return `sshpod-web-${port}`;
}

/** A cookie's value from a Cookie header (the first of that name), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token a request presents: the query's, else the Bearer header's, else the cookie's. */
export function presentedToken(url: URL, headers: { authorization?: string | undefined; cookie?: string | undefined }, cookie: string): string | undefined {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const bearer = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  return cookieValue(headers.cookie, cookie);
}

/** host[:port] of a Host header or URL authority, lower-cased, default port made explicit. */
export function normalHost(authority: string, defaultPort: number): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(authority.trim());
  if (!match) return undefined;
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return `${(match[1] as string).toLowerCase().replace(/\.$/, '')}:${port}`;
}

export interface HostPolicy {
  /** The port the server listens on (what a Host header without a port means: 80 for http). */
  port: number;
  /** Names and addresses the server answers to, without port (e.g. 127.0.0.1, localhost). */
  names: string[];
  /** Any IP literal is accepted too (bound to all addresses: a rebinding attack sends a name, never an IP). */
  anyAddress: boolean;
}

/** The names a server bound to `address` answers to without being told more. */
export function defaultHostNames(address: string): { names: string[]; anyAddress: boolean } {
  if (address === '0.0.0.0' || address === '::' || address === '') return { names: ['localhost'], anyAddress: true };
  const loopback = address === '127.0.0.1' || address === '::1' || address === 'localhost' || address.startsWith('127.');
  const literal = isIP(address) === 6 ? `[${address}]` : address;
  return { names: loopback ? [...new Set([literal, '127.0.0.1', '[::1]', 'localhost'])] : [literal], anyAddress: false };
}

export function hostAllowed(hostHeader: string | undefined, policy: HostPolicy, secure = false): boolean {
  if (!hostHeader) return false;
  const host = normalHost(hostHeader, secure ? 443 : 80);
  if (!host) return false;
  const colon = host.lastIndexOf(':');
  if (Number(host.slice(colon + 1)) !== policy.port) return false;
  const name = host.slice(0, colon);
  if (policy.names.some((n) => n.toLowerCase() === name)) return true;
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return policy.anyAddress && isIP(bare) !== 0;
}

/**
 * Whether an Origin header is the server's own origin: same scheme, and the same host and port as
 * the Host header the request came with (which hostAllowed checked). No Origin at all (not a
 * browser) is allowed where `required` is false: the token still has to be right.
 */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, secure: boolean, required: boolean): boolean {
  if (origin === undefined) return !required;
  if (!hostHeader || origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== (secure ? 'https:' : 'http:')) return false;
  // An Origin is scheme://host[:port] and nothing else: a user name before the host
  // (http://evil@127.0.0.1:7681) or a path is not what a browser sends.
  if (parsed.username || parsed.password || parsed.pathname !== '/' || parsed.search || parsed.hash || /[/@?#]/.test(origin.slice(parsed.protocol.length + 2))) return false;
  const defaultPort = secure ? 443 : 80;
  return normalHost(parsed.host, defaultPort) === normalHost(hostHeader, defaultPort);
}

/** Fetch metadata: a browser says where a request comes from; anything but our own page is refused. */
export function fetchSiteAllowed(secFetchSite: string | undefined): boolean {
  return secFetchSite === undefined || secFetchSite === 'same-origin' || secFetchSite === 'none';
}
