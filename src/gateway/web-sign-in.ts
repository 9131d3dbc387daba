// Signing in to the gateway's web terminal with the SSH key a person already has: over SSH
// (`ssh -p PORT alice@gw -s sshpod-web`) the gateway hands out a one-time link, good for a minute;
// opening it trades the link's token for a cookie session (HttpOnly, SameSite=Strict) bound to
// that gateway user. Pure bookkeeping: tokens and sessions are random 32-byte strings (a lookup by
// value tells a guesser nothing useful about 256 random bits), bounded in number (the oldest go
// first) and in time.
import { newAccessToken } from '../web/access.ts';

/** The subsystem that hands out a sign-in link: `ssh -p PORT user@gateway -s sshpod-web`. */
export const WEB_SUBSYSTEM = 'sshpod-web';
export const LINK_TTL_MS = 60_000;
export const SESSION_TTL_MS = 12 * 3600_000;
const MAX_LINKS = 1000;
const MAX_SESSIONS = 10_000;

interface Entry {
  user: string;
  expires: number;
}

export class WebSignIn {
  private readonly links = new Map<string, Entry>();
  private readonly sessions = new Map<string, Entry>();

  constructor(
    private readonly linkTtlMs = LINK_TTL_MS,
    private readonly sessionTtlMs = SESSION_TTL_MS,
  ) {}

  /** A new one-time link token for `user`. */
  link(user: string, now = Date.now()): string {
    return put(this.links, MAX_LINKS, user, now + this.linkTtlMs);
  }

  /** Trades a link token (once) for a session token; undefined when unknown, used or expired. */
  redeem(token: string, now = Date.now()): { session: string; user: string } | undefined {
    const entry = take(this.links, token, now);
    if (!entry) return undefined;
    this.links.delete(token);
    return { session: put(this.sessions, MAX_SESSIONS, entry.user, now + this.sessionTtlMs), user: entry.user };
  }

  /** The user of a session token, if it is current. */
  user(session: string | undefined, now = Date.now()): string | undefined {
    if (!session) return undefined;
    return take(this.sessions, session, now)?.user;
  }

  get size(): { links: number; sessions: number } {
    return { links: this.links.size, sessions: this.sessions.size };
  }
}

function put(map: Map<string, Entry>, max: number, user: string, expires: number): string {
  while (map.size >= max) map.delete(map.keys().next().value as string);
  const token = newAccessToken();
  map.set(token, { user, expires });
  return token;
}

function take(map: Map<string, Entry>, token: string, now: number): Entry | undefined {
  const entry = map.get(token);
  if (!entry) return undefined;
  if (entry.expires <= now) {
    map.delete(token);
    return undefined;
  }
  return entry;
}
