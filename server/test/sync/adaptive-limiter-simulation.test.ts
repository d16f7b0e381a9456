import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from '../../src/services/sync/adaptive-limiter.ts';

/**
 * The limiter against a simulated OpenAI on a virtual clock: a token bucket of R requests a second
 * holding a second's allowance (full at the start, as after a quiet minute, or empty, as when another
 * process just spent it), every answer after a fixed latency, 429s with Retry-After. Time is virtual,
 * so the figures are exact and the same on every machine.
 */
class VirtualTime {
  now = 0;
  private timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  private seq = 0;

  sleep = (ms: number) =>
    new Promise<void>((resolve) => this.timers.push({ at: this.now + ms, seq: this.seq++, fire: resolve }));

  /** Runs until `done` settles: lets every ready promise run, then jumps to the next timer. */
  async runUntil(done: Promise<unknown>): Promise<void> {
    let finished = false;
    void done.then(() => (finished = true));
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (finished) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('Nothing left to run, and the work is not done');
      this.now = Math.max(this.now, next.at);
      next.fire();
    }
  }
}

async function simulate(options: {
  perSecond: number;
  latencyMs: number;
  requests: number;
  bucketFull: boolean;
}) {
  const { perSecond, latencyMs, requests } = options;
  const time = new VirtualTime();
  const limiter = new AdaptiveLimiter({
    maxConcurrency: 128,
    maxRequestsPerSecond: Infinity,
    now: () => time.now,
    sleep: time.sleep,
  });
  let tokens = options.bucketFull ? perSecond : 0;
  let refilledAt = 0;
  /** OpenAI's side: 0 when a token was taken, else the ms until the next one (Retry-After). */
  const take = () => {
    tokens = Math.min(perSecond, tokens + ((time.now - refilledAt) / 1000) * perSecond);
    refilledAt = time.now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - tokens) / perSecond) * 1000);
  };
  let remaining = requests;
  let sent = 0;
  let throttled = 0;
  let doneAt = 0;
  // More callers than the limiter will ever let through, as a sync listing many stores has.
  const caller = async () => {
    while (remaining > 0) {
      const permit = await limiter.acquire();
      // (Callers still waiting when the work is done give their turn back unused.)
      if (remaining <= 0) return permit.release('ok', 0);
      sent++;
      const sentAt = time.now;
      const retryAfterMs = take();
      await time.sleep(latencyMs);
      if (retryAfterMs > 0) {
        throttled++;
        limiter.pauseFor(retryAfterMs);
        permit.release('throttled', time.now - sentAt);
      } else {
        if (--remaining === 0) doneAt = time.now;
        permit.release('ok', time.now - sentAt);
      }
    }
  };
  await time.runUntil(Promise.all(Array.from({ length: 200 }, caller)));
  return { throttledShare: throttled / sent, answeredPerSecond: (requests / doneAt) * 1000 };
}

describe('AdaptiveLimiter against a simulated rate limit', () => {
  for (const perSecond of [100, 400]) {
    for (const bucketFull of [true, false]) {
      it(`R = ${perSecond}/s, bucket ${bucketFull ? 'full' : 'empty'} at the start: ≤ 3 % 429s, ≥ 85 % of R`, async () => {
        const result = await simulate({ perSecond, latencyMs: 20, requests: perSecond * 10, bucketFull });
        expect(result.throttledShare).toBeLessThanOrEqual(0.03);
        expect(result.answeredPerSecond).toBeGreaterThanOrEqual(0.85 * perSecond);
      });
    }
  }

  it('without a rate limit, reaches a hundred requests in flight at 250 ms latency within a minute', async () => {
    const result = await simulate({ perSecond: 1e9, latencyMs: 250, requests: 20_000, bucketFull: true });
    expect(result.throttledShare).toBe(0);
    // 20,000 requests one at a time would take 5,000 s.
    expect(result.answeredPerSecond).toBeGreaterThan(200);
  });
});
