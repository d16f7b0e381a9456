import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A request-rate ceiling shared by every request of a sync run (token bucket). The bucket holds a tenth
 * of a second of tokens, so no one-second window ever sees more than 1.1 × the ceiling. A 429 with
 * `Retry-After` pauses every caller, not only the one that was told: the whole account is throttled.
 */
export class RateLimiter {
  private readonly capacity: number;
  private tokens: number;
  private refilledAt: number;
  private pausedUntil = 0;

  /** `perSecond` ≤ 0 or Infinity: no ceiling (pauses still apply). */
  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, perSecond / 10);
    this.tokens = this.capacity;
    this.refilledAt = now();
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now, undefined, { signal });
        continue;
      }
      if (!(this.perSecond > 0 && Number.isFinite(this.perSecond))) return;
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(((1 - this.tokens) / this.perSecond) * 1000, undefined, { signal });
    }
  }

  /** Holds every caller back for `ms` (OpenAI said `Retry-After`). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}
