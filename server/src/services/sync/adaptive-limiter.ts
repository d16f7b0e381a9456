import { setTimeout as sleepFor } from 'node:timers/promises';

/** How a request ended, as far as the limiter cares. */
export type RequestOutcome = 'ok' | 'throttled' | 'failed';

export interface AdaptiveLimiterOptions {
  /** Upper bound on requests in flight (`SYNC_CONCURRENCY`). */
  maxConcurrency: number;
  /** Upper bound on requests per second (`OPENAI_MAX_RPS`); Infinity: none. */
  maxRequestsPerSecond: number;
  /** Where the concurrency limit starts before anything is known. */
  initialConcurrency?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A granted request: give it back once, with how it ended and how long it took. */
export interface Permit {
  release(outcome: RequestOutcome, latencyMs: number): void;
}

/** Latency this far above the best seen means OpenAI (or the path to it) is queueing our requests. */
const LATENCY_TOLERANCE = 2;
const BASELINE_DRIFT = 1.0001;
/** Multiplicative decreases of the concurrency limit: on a 5xx or a reset, on a 429, on rising latency. */
const BACKOFF = 0.75;
const THROTTLE_BACKOFF = 0.5;
const LATENCY_BACKOFF = 0.95;
/** A measured rate is kept with this margin, then grows 5 % a second (50 % while it rests on < 10 answers). */
const RATE_MARGIN = 0.9;
const RATE_GROWTH_PER_SECOND = 0.05;
const UNSURE_RATE_GROWTH_PER_SECOND = 0.5;
const SURE_SAMPLES = 10;
const WINDOW_MS = 1000;

/**
 * How fast one account may call OpenAI, found while calling it. Two laws, one per limit:
 * - Concurrency (requests in flight), AIMD with a latency signal, as TCP does: it grows by one per
 *   round trip while latency stays within twice its baseline (the lowest smoothed latency, slowly
 *   forgotten); it halves on a 429, shrinks by a quarter on a 5xx or a reset, and a little while
 *   latency rises. There is no exponential slow start: OpenAI's limits are token buckets that hold
 *   a minute's allowance, and a window that doubles every round trip overshoots an empty bucket by
 *   half of its capacity (half of them 429s) where one that grows linearly overshoots by √(2 ×
 *   capacity).
 * - Rate (requests per second), unlimited until OpenAI first answers 429; then measured from what
 *   still got through while OpenAI was refusing (see `learnFromThrottle`), and grown slowly until
 *   the next 429. Concurrency alone cannot hold a rate finer than one request per round trip.
 * A decrease happens at most once per round trip: the requests already in flight when the first
 * 429 came carry no news. `Retry-After` pauses every caller. Both limits stay within their bounds.
 */
export class AdaptiveLimiter {
  private concurrency: number;
  private rate = Infinity;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private bestLatencyMs = Infinity;
  private smoothedLatencyMs = 0;
  private lastDecreaseAt = -Infinity;
  private rateUpdatedAt: number;
  private tokens = 1;
  private refilledAt: number;
  private pausedUntil = 0;
  /** How many times every slot was taken: a request that saw it rise used the whole limit. */
  private fullTimes = 0;
  /** Completion times of successful requests in the last second (a ring would do; a second is small). */
  private readonly recentOks: number[] = [];
  /** Times of the 429s of the last second. */
  private readonly recentThrottles: number[] = [];
  /** How many answers the current rate estimate was measured on. */
  private rateSamples = 0;
  /** Totals since this limiter was made. */
  readonly counts = { requests: 0, throttled: 0, failed: 0 };
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: AdaptiveLimiterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.concurrency = Math.min(options.maxConcurrency, options.initialConcurrency ?? 4);
    this.rate = options.maxRequestsPerSecond;
    this.rateUpdatedAt = this.refilledAt = this.now();
  }

  /** The current limits, for metrics and the run's row. */
  get limits(): { concurrency: number; requestsPerSecond: number | null } {
    return {
      concurrency: this.slots,
      requestsPerSecond: Number.isFinite(this.rate) ? Math.round(this.rate * 10) / 10 : null,
    };
  }

  /** Requests allowed in flight (the limit grows in fractions; rounding must not eat a whole one). */
  private get slots(): number {
    return Math.floor(this.concurrency + 1e-9);
  }

  /** Waits for a pause to end, a slot in flight and a token of the rate, in that order. */
  async acquire(signal?: AbortSignal): Promise<Permit> {
    await this.waitForPause(signal);
    await this.waitForSlot(signal);
    try {
      await this.waitForToken(signal);
    } catch (error) {
      this.giveBackSlot();
      throw error;
    }
    this.counts.requests++;
    // Only a limit in use may grow: idle headroom proves nothing about OpenAI. A request counts as
    // using it when every slot was taken at some point while it was in flight.
    if (this.inFlight >= this.slots) this.fullTimes++;
    const fullBefore = this.fullTimes;
    const fullAtStart = this.inFlight >= this.slots;
    let released = false;
    return {
      release: (outcome, latencyMs) => {
        if (released) return;
        released = true;
        const saturated = fullAtStart || this.fullTimes > fullBefore;
        this.giveBackSlot();
        this.learn(outcome, latencyMs, saturated);
      },
    };
  }

  /** OpenAI said `Retry-After`: nobody calls it for `ms`. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private async waitForPause(signal?: AbortSignal): Promise<void> {
    for (let now = this.now(); now < this.pausedUntil; now = this.now()) {
      await this.sleep(this.pausedUntil - now, signal);
    }
  }

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    while (this.inFlight >= this.slots) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          this.waiting.splice(this.waiting.indexOf(wake), 1);
          reject(signal!.reason);
        };
        this.waiting.push(wake);
        signal?.addEventListener('abort', abort, { once: true });
      });
    }
    this.inFlight++;
  }

  private giveBackSlot(): void {
    this.inFlight--;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    let room = this.slots - this.inFlight;
    while (room-- > 0 && this.waiting.length > 0) this.waiting.shift()!();
  }

  private async waitForToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (!Number.isFinite(this.rate)) return;
      const now = this.now();
      // A tenth of a second of burst: no one-second window sees more than 1.1 × the rate.
      const capacity = Math.max(1, this.rate / 10);
      this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
      this.refilledAt = now;
      // (1e-9: rounding must not leave a waiter one ulp short of a token forever.)
      if (this.tokens >= 1 - 1e-9) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.max(1, ((1 - this.tokens) / this.rate) * 1000), signal);
    }
  }

  private learn(outcome: RequestOutcome, latencyMs: number, saturated: boolean): void {
    const now = this.now();
    if (outcome === 'ok') {
      this.recentOks.push(now);
      while (this.recentOks.length > 0 && this.recentOks[0]! < now - WINDOW_MS) this.recentOks.shift();
      this.smoothedLatencyMs =
        this.smoothedLatencyMs === 0 ? latencyMs : this.smoothedLatencyMs * 0.9 + latencyMs * 0.1;
      // The baseline is the lowest smoothed latency, forgotten slowly (it doubles in ~7,000 answers):
      // one lucky answer must not set it, and yesterday's quiet network must not hold it down.
      this.bestLatencyMs = Math.min(this.smoothedLatencyMs, this.bestLatencyMs * BASELINE_DRIFT);
      if (this.smoothedLatencyMs > this.bestLatencyMs * LATENCY_TOLERANCE) {
        this.decrease(now, LATENCY_BACKOFF);
      } else if (saturated) {
        this.concurrency = Math.min(this.options.maxConcurrency, this.concurrency + 1 / this.slots);
        this.wakeWaiters();
      }
      this.growRate(now);
      return;
    }
    if (outcome === 'throttled') {
      this.counts.throttled++;
      this.learnFromThrottle(now);
      return;
    }
    this.counts.failed++;
    this.decrease(now, BACKOFF);
  }

  /**
   * A 429 says OpenAI's bucket for this key is empty. While it stays empty, what still gets through
   * is exactly its refill rate: the successes since the earliest 429 of the last second, over the
   * time since, are the allowed rate (measured once they span a round trip). A lone 429 at a known
   * rate means the rate grew just past it: what succeeded in the last second is the new estimate.
   * The first 429 of all can measure nothing (what succeeded before it may have been a saved-up
   * burst), so callers wait one round trip while the requests in flight bring the news.
   */
  private learnFromThrottle(now: number): void {
    while (this.recentThrottles.length > 0 && this.recentThrottles[0]! < now - WINDOW_MS)
      this.recentThrottles.shift();
    const since = this.recentThrottles[0];
    this.recentThrottles.push(now);
    const decreased = this.decrease(now, THROTTLE_BACKOFF);
    if (since !== undefined && now - since >= this.roundTrip()) {
      const successes = this.recentOks.filter((at) => at > since).length;
      this.setRate(now, Math.max(1, successes) / ((now - since) / 1000), successes);
    } else if (since === undefined && Number.isFinite(this.rate)) {
      const successes = this.recentOks.filter((at) => at > now - WINDOW_MS).length;
      this.setRate(now, Math.max(1, successes) / (WINDOW_MS / 1000), successes);
    } else if (decreased && !Number.isFinite(this.rate)) {
      this.pauseFor(this.roundTrip());
    }
  }

  private setRate(now: number, allowed: number, samples: number): void {
    this.rate = Math.min(this.options.maxRequestsPerSecond, allowed * RATE_MARGIN);
    this.rateSamples = samples;
    this.rateUpdatedAt = now;
  }

  private roundTrip(): number {
    return Math.max(this.smoothedLatencyMs, 10);
  }

  /** Shrinks the concurrency limit unless it shrank less than a round trip ago; says if it did. */
  private decrease(now: number, factor: number): boolean {
    if (now - this.lastDecreaseAt < this.roundTrip()) return false;
    this.lastDecreaseAt = now;
    this.concurrency = Math.max(1, this.concurrency * factor);
    return true;
  }

  private growRate(now: number): void {
    if (!Number.isFinite(this.rate)) return;
    const elapsed = (now - this.rateUpdatedAt) / 1000;
    this.rateUpdatedAt = now;
    // An estimate from a handful of answers may be far under the truth: it grows faster.
    const growth = this.rateSamples < SURE_SAMPLES ? UNSURE_RATE_GROWTH_PER_SECOND : RATE_GROWTH_PER_SECOND;
    this.rate = Math.min(this.options.maxRequestsPerSecond, this.rate * (1 + growth * elapsed));
  }
}
