import { describe, expect, it } from 'vitest';
import {
  AdaptiveLimiter,
  type AdaptiveLimiterOptions,
  type Permit,
} from '../../src/services/sync/adaptive-limiter.ts';

/** A clock that moves only when the limiter sleeps or a test says so. */
class FakeClock {
  ms = 0;
  readonly sleeps: number[] = [];
  now = () => this.ms;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.ms += ms;
  };
}

function limiter(clock: FakeClock, options: Partial<AdaptiveLimiterOptions> = {}) {
  return new AdaptiveLimiter({
    maxConcurrency: 64,
    maxRequestsPerSecond: Infinity,
    now: clock.now,
    sleep: clock.sleep,
    ...options,
  });
}

/** Takes every slot there is (a full window of requests), as a busy sync does. */
async function fill(l: AdaptiveLimiter): Promise<Permit[]> {
  const permits: Permit[] = [];
  for (let i = 0; i < l.limits.concurrency; i++) permits.push(await l.acquire());
  return permits;
}

/** One round trip: fill the window, wait `latencyMs`, release everything with `outcome`. */
async function roundTrip(
  l: AdaptiveLimiter,
  clock: FakeClock,
  latencyMs: number,
  outcome: 'ok' | 'throttled' | 'failed' = 'ok',
) {
  const permits = await fill(l);
  clock.ms += latencyMs;
  for (const permit of permits) permit.release(outcome, latencyMs);
  return permits.length;
}

describe('AdaptiveLimiter', () => {
  it('grows its concurrency by one each round trip while latency is flat and nothing fails', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 4 });
    const windows: number[] = [];
    for (let i = 0; i < 5; i++) windows.push(await roundTrip(l, clock, 20));
    expect(windows).toEqual([4, 5, 6, 7, 8]);
  });

  it('never exceeds its configured concurrency bound', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { maxConcurrency: 10 });
    for (let i = 0; i < 10; i++) await roundTrip(l, clock, 20);
    expect(l.limits.concurrency).toBe(10);
    for (let i = 0; i < 10; i++) await roundTrip(l, clock, 20);
    expect(l.limits.concurrency).toBe(10);
  });

  it('does not grow a limit nobody uses', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 4 });
    for (let i = 0; i < 50; i++) {
      const permit = await l.acquire();
      clock.ms += 20;
      permit.release('ok', 20);
    }
    expect(l.limits.concurrency).toBe(4);
  });

  it('halves on a 429, once per round trip however many requests were told', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 32 });
    await roundTrip(l, clock, 20);
    expect(l.limits.concurrency).toBe(33);
    await roundTrip(l, clock, 20, 'throttled');
    expect(l.limits.concurrency).toBe(16);
    expect(l.counts.throttled).toBe(33);
  });

  it('shrinks by a quarter on a 5xx or a reset', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 32 });
    await roundTrip(l, clock, 20, 'failed');
    expect(l.limits.concurrency).toBe(24);
  });

  it('backs off while latency rises above twice the best seen', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 16 });
    await roundTrip(l, clock, 20);
    const before = l.limits.concurrency;
    for (let i = 0; i < 10; i++) await roundTrip(l, clock, 200);
    expect(l.limits.concurrency).toBeLessThan(before);
  });

  /** One request at a time, `gapMs` apart, each answered with `outcome` after 10 ms. */
  async function paced(
    l: AdaptiveLimiter,
    clock: FakeClock,
    count: number,
    gapMs: number,
    outcome: 'ok' | 'throttled' = 'ok',
  ) {
    for (let i = 0; i < count; i++) {
      const permit = await l.acquire();
      clock.ms += gapMs;
      permit.release(outcome, 10);
    }
  }

  it('measures the allowed rate from what still gets through between 429s, not from the burst before', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 10 });
    // A saved-up burst goes through at 1,000 a second, then OpenAI's bucket is empty.
    await paced(l, clock, 100, 1);
    await paced(l, clock, 1, 1, 'throttled');
    // The first 429 measures nothing: the rate stays unset and everybody waits one round trip.
    expect(l.limits.requestsPerSecond).toBeNull();
    const pausedAt = clock.ms;
    await paced(l, clock, 1, 0);
    expect(clock.ms - pausedAt).toBeGreaterThanOrEqual(10);
    // What still gets through is its refill rate: 10 answers in 200 ms, then the next 429.
    await paced(l, clock, 9, 20);
    await paced(l, clock, 1, 20, 'throttled');
    // 10 in ~0.21 s = ~48 a second, kept with a 10 % margin (not the 1,000 a second of the burst).
    expect(l.limits.requestsPerSecond).toBeGreaterThanOrEqual(40);
    expect(l.limits.requestsPerSecond).toBeLessThanOrEqual(45);
  });

  it('after a lone 429 at a known rate, holds what succeeded in the last second, then grows 5 % a second', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 10 });
    // An episode of 429s measures ~200 a second (see above) …
    await paced(l, clock, 1, 1, 'throttled');
    await paced(l, clock, 150, 5);
    await paced(l, clock, 1, 1, 'throttled');
    expect(l.limits.requestsPerSecond).toBeGreaterThan(170);
    // … then after more than a second without one, OpenAI allows 100 a second and says 429 once.
    clock.ms += 1100;
    await paced(l, clock, 100, 10);
    await paced(l, clock, 1, 0, 'throttled');
    expect(l.limits.requestsPerSecond).toBeGreaterThanOrEqual(89);
    expect(l.limits.requestsPerSecond).toBeLessThanOrEqual(91);

    // Resting on 100 answers, it grows 5 % a second: 90 requests at ~90 a second take about a second.
    const started = clock.ms;
    for (let i = 0; i < 90; i++) (await l.acquire()).release('ok', 0);
    expect(clock.ms - started).toBeGreaterThan(850);
    expect(l.limits.requestsPerSecond).toBeGreaterThan(92);
    expect(l.limits.requestsPerSecond).toBeLessThan(97);
  });

  it('grows an estimate that rests on a handful of answers ten times faster', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 10 });
    // Two 429s a round trip apart and nothing between: at most one answer per 20 ms.
    await paced(l, clock, 1, 10, 'throttled');
    await paced(l, clock, 1, 10, 'throttled');
    expect(l.limits.requestsPerSecond).toBe(45);
    const started = clock.ms;
    for (let i = 0; i < 45; i++) (await l.acquire()).release('ok', 0);
    // 45 requests from 45 a second growing 50 % a second: well under a second, and a higher rate.
    expect(clock.ms - started).toBeLessThan(800);
    expect(l.limits.requestsPerSecond).toBeGreaterThan(60);
  });

  it('keeps the rate within its configured bound', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { maxRequestsPerSecond: 20 });
    const started = clock.ms;
    for (let i = 0; i < 40; i++) (await l.acquire()).release('ok', 0);
    expect(clock.ms - started).toBeGreaterThanOrEqual(1800);
    expect(l.limits.requestsPerSecond).toBe(20);
  });

  it('waits out Retry-After before any request', async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    l.pauseFor(1500);
    await l.acquire();
    expect(clock.ms).toBe(1500);
  });

  it('gives an aborted waiter up without taking a slot', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 1 });
    const held = await l.acquire();
    const abort = new AbortController();
    const waiting = l.acquire(abort.signal);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    held.release('ok', 1);
    // The slot is free again: the next request gets it at once.
    await l.acquire();
  });
});
