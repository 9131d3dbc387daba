// How often a refused connection is written to the audit log. A flood from one address (the very
// thing the rate limit refuses) must not become a flood of audit lines that fills the disk: the
// first refusal per source address and reason in a window is written, with how many the window
// before held that were not; the metrics still count every one. Bounded: at most `maxKeys`
// addresses are remembered (the oldest goes first).
export class RefusalAudit {
  private readonly windows = new Map<string, { since: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether to write this refusal now; `suppressed`: how many were left unwritten since the last line. */
  take(source: string, reason: string, now = Date.now()): { write: boolean; suppressed: number } {
    const key = `${reason}\0${source}`;
    const window = this.windows.get(key);
    if (window && now - window.since < this.windowMs) {
      window.suppressed += 1;
      return { write: false, suppressed: window.suppressed };
    }
    const suppressed = window?.suppressed ?? 0;
    this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(key, { since: now, suppressed: 0 });
    return { write: true, suppressed };
  }

  get size(): number {
    return this.windows.size;
  }
}
