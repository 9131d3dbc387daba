// The gateway's bounds, as pure bookkeeping (the server applies them): how many connections one
// source address may open per minute, and how many sessions run at once, in all and per person.
// Memory stays bounded too: the rate table forgets quiet addresses and holds at most a fixed number.

export interface Limits {
  /** Seconds from TCP accept to successful authentication. */
  authTimeoutSeconds: number;
  /** Authentication attempts (publickey with a signature, or any other method) per connection. */
  maxAuthTries: number;
  /** New connections per source address and minute (a burst of that size, refilled evenly). */
  connectionsPerMinute: number;
  /** Connections at once, authenticated or not. */
  maxConnections: number;
  /** Connections that have not authenticated yet, at once. */
  maxUnauthenticated: number;
  /** Channels (sessions and jumps) at once, in all. */
  maxSessions: number;
  /** Channels at once per person. */
  maxSessionsPerUser: number;
  /** Seconds without a byte in either direction after which a connection is closed (0: never). */
  idleTimeoutSeconds: number;
  /** Seconds between keep-alives to the client; after 4 unanswered the connection goes. */
  keepAliveSeconds: number;
  /** Seconds SIGTERM leaves sessions to finish before they are closed. */
  drainSeconds: number;
}

export const DEFAULT_LIMITS: Limits = {
  authTimeoutSeconds: 20,
  maxAuthTries: 6,
  connectionsPerMinute: 60,
  maxConnections: 1000,
  maxUnauthenticated: 100,
  maxSessions: 1000,
  maxSessionsPerUser: 100,
  idleTimeoutSeconds: 3600,
  keepAliveSeconds: 30,
  drainSeconds: 30,
};

/** A token bucket per key: `perMinute` tokens, refilled continuously. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes a token for `key`; false when it has none left. */
  take(key: string, now = Date.now()): boolean {
    if (this.perMinute <= 0) return true;
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
      bucket.at = now;
    } else {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      // Still full after pruning: the oldest entry goes (Map keeps insertion order).
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = { tokens: this.perMinute, at: now };
    }
    // Re-inserted: the Map's order becomes least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Forgets the keys whose bucket has refilled (they are as good as new). */
  prune(now = Date.now()): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute >= this.perMinute) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Counts what is open, in all and per key, against two maxima. */
export class Slots {
  private total = 0;
  private readonly perKey = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly maxPerKey: number,
  ) {}

  /** Takes a slot for `key`: a release function, or a reason why not. */
  take(key: string): { release: () => void } | { refused: 'total' | 'per-user' } {
    if (this.total >= this.max) return { refused: 'total' };
    const held = this.perKey.get(key) ?? 0;
    if (held >= this.maxPerKey) return { refused: 'per-user' };
    this.total += 1;
    this.perKey.set(key, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.perKey.get(key) ?? 1) - 1;
        if (left === 0) this.perKey.delete(key);
        else this.perKey.set(key, left);
      },
    };
  }

  get open(): number {
    return this.total;
  }

  heldBy(key: string): number {
    return this.perKey.get(key) ?? 0;
  }
}
