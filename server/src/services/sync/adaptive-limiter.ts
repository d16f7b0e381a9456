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
/** Multiplicative decreases: of the concurrency limit on a 429 or an error, on rising latency. */
const BACKOFF = 0.75;
const LATENCY_BACKOFF = 0.95;
/** After a 429 the rate is set just under what succeeded in the last second, then grows 5 % a second. */
const RATE_MARGIN = 0.9;
const RATE_GROWTH_PER_SECOND = 0.05;
const WINDOW_MS = 1000;

/**
 * How fast one account may call OpenAI, found while calling it. Two laws, one per limit:
 * - Concurrency (requests in flight), AIMD with a latency signal, as TCP does: it doubles every
 *   round trip until the first sign of congestion (slow start), then grows by one per round trip
 *   while latency stays within twice its baseline (the lowest smoothed latency, slowly forgotten); it shrinks by a quarter on a 429, a 5xx or a
 *   reset, and a little while latency rises.
 * - Rate (requests per second), unlimited until OpenAI first answers 429; then just under what
 *   succeeded in the last second, growing slowly until the next 429. Concurrency alone cannot hold
 *   a rate finer than one request per round trip.
 * A decrease happens at most once per round trip: the requests already in flight when the first
 * 429 came carry no news. `Retry-After` pauses every caller. Both limits stay within their bounds.
 */
export class AdaptiveLimiter {
  private concurrency: number;
  private rate = Infinity;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private slowStart = true;
  private bestLatencyMs = Infinity;
  private smoothedLatencyMs = 0;
  private lastDecreaseAt = -Infinity;
  private rateUpdatedAt: number;
  private tokens = 1;
  private refilledAt: number;
  private pausedUntil = 0;
  private firstRequestAt = Infinity;
  /** How many times every slot was taken: a request that saw it rise used the whole limit. */
  private fullTimes = 0;
  /** Completion times of successful requests in the last second (a ring would do; a second is small). */
  private readonly recentOks: number[] = [];
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
      concurrency: Math.floor(this.concurrency),
      requestsPerSecond: Number.isFinite(this.rate) ? Math.round(this.rate * 10) / 10 : null,
    };
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
    this.firstRequestAt = Math.min(this.firstRequestAt, this.now());
    // Only a limit in use may grow: idle headroom proves nothing about OpenAI. A request counts as
    // using it when every slot was taken at some point while it was in flight.
    if (this.inFlight >= Math.floor(this.concurrency)) this.fullTimes++;
    const fullBefore = this.fullTimes;
    const fullAtStart = this.inFlight >= Math.floor(this.concurrency);
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
    while (this.inFlight >= Math.floor(this.concurrency)) {
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
    let room = Math.floor(this.concurrency) - this.inFlight;
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
        this.concurrency = Math.min(
          this.options.maxConcurrency,
          this.concurrency + (this.slowStart ? 1 : 1 / this.concurrency),
        );
        this.wakeWaiters();
      }
      this.growRate(now);
      return;
    }
    if (outcome === 'throttled') {
      this.counts.throttled++;
      if (this.decrease(now, BACKOFF)) {
        // What got through in the last second (or since the first request) is what OpenAI allows.
        const observedMs = Math.min(WINDOW_MS, Math.max(now - this.firstRequestAt, 100));
        const allowed = Math.max(1, this.recentOks.length / (observedMs / 1000));
        this.rate = Math.min(this.options.maxRequestsPerSecond, Math.min(this.rate, allowed) * RATE_MARGIN);
        this.rateUpdatedAt = now;
      }
      return;
    }
    this.counts.failed++;
    this.decrease(now, BACKOFF);
  }

  /** Shrinks the concurrency limit unless it shrank less than a round trip ago; says if it did. */
  private decrease(now: number, factor: number): boolean {
    const roundTrip = Math.max(this.smoothedLatencyMs, 10);
    if (now - this.lastDecreaseAt < roundTrip) return false;
    this.lastDecreaseAt = now;
    this.slowStart = false;
    this.concurrency = Math.max(1, this.concurrency * factor);
    return true;
  }

  private growRate(now: number): void {
    if (!Number.isFinite(this.rate)) return;
    const elapsed = (now - this.rateUpdatedAt) / 1000;
    this.rateUpdatedAt = now;
    this.rate = Math.min(
      this.options.maxRequestsPerSecond,
      this.rate * (1 + RATE_GROWTH_PER_SECOND * elapsed),
    );
  }
}
