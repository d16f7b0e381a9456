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
  it('doubles its concurrency each round trip while latency is flat and nothing fails (slow start)', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 4 });
    const windows: number[] = [];
    for (let i = 0; i < 4; i++) windows.push(await roundTrip(l, clock, 20));
    expect(windows).toEqual([4, 8, 16, 32]);
  });

  it('never exceeds its configured concurrency bound', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { maxConcurrency: 10 });
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

  it('shrinks by a quarter on a 429, once per round trip however many requests were told', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 4 });
    for (let i = 0; i < 3; i++) await roundTrip(l, clock, 20);
    expect(l.limits.concurrency).toBe(32);
    await roundTrip(l, clock, 20, 'throttled');
    expect(l.limits.concurrency).toBe(24);
    expect(l.counts.throttled).toBe(32);
  });

  it('grows by about one per round trip after the first congestion (additive increase)', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 8 });
    await roundTrip(l, clock, 20, 'failed');
    expect(l.limits.concurrency).toBe(6);
    for (let i = 0; i < 5; i++) await roundTrip(l, clock, 20);
    expect(l.limits.concurrency).toBeGreaterThanOrEqual(10);
    expect(l.limits.concurrency).toBeLessThanOrEqual(11);
  });

  it('backs off while latency rises above twice the best seen', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 16 });
    await roundTrip(l, clock, 20);
    const before = l.limits.concurrency;
    for (let i = 0; i < 10; i++) await roundTrip(l, clock, 200);
    expect(l.limits.concurrency).toBeLessThan(before);
  });

  it('after a 429, holds the rate just under what succeeded, then lets it grow slowly', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { initialConcurrency: 10 });
    expect(l.limits.requestsPerSecond).toBeNull();
    // 100 successes a second for two seconds, then OpenAI says 429.
    for (let i = 0; i < 200; i++) {
      const permit = await l.acquire();
      clock.ms += 10;
      permit.release('ok', 10);
    }
    const told = await l.acquire();
    told.release('throttled', 10);
    expect(l.limits.requestsPerSecond).toBeGreaterThanOrEqual(89);
    expect(l.limits.requestsPerSecond).toBeLessThanOrEqual(92);

    clock.sleeps.length = 0;
    const started = clock.ms;
    for (let i = 0; i < 90; i++) (await l.acquire()).release('ok', 0);
    // 90 requests at 90 a second (a tenth of a second of burst) take about a second.
    expect(clock.ms - started).toBeGreaterThan(850);
    expect(l.limits.requestsPerSecond).toBeGreaterThan(92);
    expect(l.limits.requestsPerSecond).toBeLessThan(97);
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
