// When to say what a starting pod waits for (pure): nothing while the start is quick (the first
// second), then the state as soon as it is worth a line, again whenever it changes, and every ten
// seconds while it does not — so that a long image pull still shows signs of life.
export class ProgressLine {
  private said: string | undefined;
  private saidAt = 0;

  constructor(
    private readonly quietMs = 1000,
    private readonly repeatMs = 10_000,
  ) {}

  /** The line to print for `progress` after `elapsedMs` of waiting, or undefined for none. */
  next(progress: string, elapsedMs: number): string | undefined {
    if (elapsedMs < this.quietMs) return undefined;
    if (progress === this.said && elapsedMs - this.saidAt < this.repeatMs) return undefined;
    this.said = progress;
    this.saidAt = elapsedMs;
    return `${progress} (${Math.round(elapsedMs / 1000)} s)`;
  }

  /** Whether anything was said yet (the first line is preceded by what is being started). */
  get started(): boolean {
    return this.said !== undefined;
  }
}
