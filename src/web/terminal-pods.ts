// The on-demand pods of web terminals (template--NAME), and their heartbeat. Such a pod belongs to
// one terminal of one page: it lives while the page's heartbeat comes (any message of the
// terminal's WebSocket counts, and the page sends one at least every heartbeat/3), survives a
// dropped connection for that long — so that Reconnect finds the same pod, files and all — and
// goes:
//  - when the person closes the terminal (at once);
//  - when no heartbeat came for the heartbeat time (the tab closed, the laptop slept, the network
//    went: nothing is left when the browser just vanishes);
//  - when the server shuts down (SIGTERM), and, through each pod's guard (src/ondemand/guard.ts),
//    when the server is killed; the pod's own safeguard (pod-watchdog.sh) covers the machine gone.
// Pure bookkeeping around a start function and a clock, so that it is unit-tested without a cluster.
import { randomBytes } from 'node:crypto';

export interface TerminalPod {
  /** Opaque, unguessable: the page reconnects to its pod with it. */
  id: string;
  user: string;
  hostname: string;
  context: string;
  namespace: string;
  pod: string;
  container: string;
  /** Deletes the pod; idempotent, never throws. */
  release(): Promise<void>;
}

interface Entry {
  pod: TerminalPod;
  lastBeat: number;
  attached: number;
  releasing: Promise<void> | undefined;
}

export type ReleaseReason = 'closed' | 'heartbeat' | 'shutdown' | 'shell-ended';

export class TerminalPods {
  private readonly entries = new Map<string, Entry>();
  private starting = new Map<string, number>();

  constructor(
    private readonly heartbeatMs: number,
    private readonly onRelease: (pod: TerminalPod, reason: ReleaseReason) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  static newId(): string {
    return randomBytes(18).toString('base64url');
  }

  /** How many pods `user` has (and is starting): the per-user bound is checked against this. */
  countOf(user: string): number {
    let n = this.starting.get(user) ?? 0;
    for (const entry of this.entries.values()) if (entry.pod.user === user && !entry.releasing) n++;
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Marks a start under way for `user` (counted by countOf); the returned function ends the mark. */
  startFor(user: string): () => void {
    this.starting.set(user, (this.starting.get(user) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.starting.get(user) ?? 1) - 1;
      if (left > 0) this.starting.set(user, left);
      else this.starting.delete(user);
    };
  }

  add(pod: TerminalPod): void {
    this.entries.set(pod.id, { pod, lastBeat: this.now(), attached: 0, releasing: undefined });
  }

  /** The pod `id` of `user`, if it is still there (another user's id finds nothing). */
  find(id: string, user: string): TerminalPod | undefined {
    const entry = this.entries.get(id);
    return entry && entry.pod.user === user && !entry.releasing ? entry.pod : undefined;
  }

  beat(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.lastBeat = this.now();
  }

  attach(id: string): void {
    const entry = this.entries.get(id);
    if (entry) {
      entry.attached++;
      entry.lastBeat = this.now();
    }
  }

  detach(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.attached = Math.max(0, entry.attached - 1);
  }

  release(id: string, reason: ReleaseReason): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return Promise.resolve();
    entry.releasing ??= (async () => {
      try {
        this.onRelease(entry.pod, reason);
        await entry.pod.release();
      } catch {
        // release() should not throw; if it does, the sweep (void) must not crash the server, and
        // the pod's guard and safeguard remain
      } finally {
        this.entries.delete(id);
      }
    })();
    return entry.releasing;
  }

  /** Releases the pods whose heartbeat stopped; returns their ids (the caller closes their sockets). */
  sweep(): string[] {
    const now = this.now();
    const expired = [...this.entries.values()].filter((e) => !e.releasing && now - e.lastBeat > this.heartbeatMs).map((e) => e.pod.id);
    for (const id of expired) void this.release(id, 'heartbeat');
    return expired;
  }

  async releaseAll(reason: ReleaseReason): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.release(id, reason)));
  }
}
