/** A time source in milliseconds; the real one is `Date.now`. Tests may pass a fake one. */
export interface TimeSource {
  now(): number;
}

/**
 * The emulator's clock: real time plus an offset that the control API moves, so stores expire
 * "days" later without anyone waiting. Timestamps in API objects are Unix seconds from this clock.
 */
export class EmulatorClock {
  private offsetMs = 0;

  constructor(private readonly source: TimeSource = Date) {}

  /** Now, in Unix seconds. */
  now(): number {
    return Math.floor((this.source.now() + this.offsetMs) / 1000);
  }

  /** Jumps to `unixSeconds`; time keeps flowing from there. */
  set(unixSeconds: number): number {
    this.offsetMs = unixSeconds * 1000 - this.source.now();
    return this.now();
  }

  advance(seconds: number): number {
    this.offsetMs += seconds * 1000;
    return this.now();
  }

  /** Back to real time. */
  reset(): void {
    this.offsetMs = 0;
  }
}
