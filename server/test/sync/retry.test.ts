import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { withRetry, type RetryPolicy, type RetryTiming } from '../../src/services/sync/retry.ts';

/** Time that moves only when the retry sleeps; the jitter draw is fixed. */
class FakeTiming implements RetryTiming {
  ms = Date.parse('2026-06-01T12:00:00Z');
  readonly sleeps: number[] = [];
  constructor(private readonly draw = 0.5) {}
  now = () => this.ms;
  random = () => this.draw;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.ms += ms;
  };
}

const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 30_000 };

const apiError = (status: number, headers: Record<string, string> = {}) =>
  APIError.generate(status, { message: `HTTP ${status}` }, undefined, new Headers(headers));

/** A request that fails with each error in turn, then answers 'done'. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const request = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return 'done';
  };
  return { request, calls: () => calls };
}

function run(request: () => Promise<string>, timing: FakeTiming, policy = POLICY) {
  const seen = { retries: [] as number[], retryAfter: [] as number[], attempts: 0 };
  const result = withRetry(
    request,
    policy,
    {
      beforeAttempt: async () => {
        seen.attempts++;
      },
      onRetry: (ms) => seen.retries.push(ms),
      onRetryAfter: (ms) => seen.retryAfter.push(ms),
    },
    undefined,
    timing,
  );
  return { result, seen };
}

describe('withRetry', () => {
  it('waits the seconds of a 429 Retry-After, and tells the run to pause as long', async () => {
    const timing = new FakeTiming();
    const { result, seen } = run(failing(apiError(429, { 'retry-after': '3' })).request, timing);
    expect(await result).toBe('done');
    expect(timing.sleeps).toEqual([3_000]);
    expect(seen.retryAfter).toEqual([3_000]);
    expect(seen.attempts).toBe(2);
  });

  it('waits until the date of a 429 Retry-After given as an HTTP date', async () => {
    const timing = new FakeTiming();
    const at = new Date(timing.ms + 7_000).toUTCString();
    const { result, seen } = run(failing(apiError(429, { 'retry-after': at })).request, timing);
    expect(await result).toBe('done');
    expect(timing.sleeps).toEqual([7_000]);
    expect(seen.retryAfter).toEqual([7_000]);
  });

  it('prefers retry-after-ms, and treats a date in the past as "now"', async () => {
    const timing = new FakeTiming();
    const past = new Date(timing.ms - 60_000).toUTCString();
    const { result } = run(
      failing(
        apiError(429, { 'retry-after-ms': '250', 'retry-after': '9' }),
        apiError(429, { 'retry-after': past }),
      ).request,
      timing,
    );
    expect(await result).toBe('done');
    expect(timing.sleeps).toEqual([250, 0]);
  });

  it('gives up at once on a Retry-After longer than the policy allows', async () => {
    const timing = new FakeTiming();
    const tooLong = apiError(429, { 'retry-after': '3600' });
    const { result } = run(failing(tooLong).request, timing);
    await expect(result).rejects.toBe(tooLong);
    expect(timing.sleeps).toEqual([]);
  });

  it('backs off exponentially with jitter on 5xx and connection errors, capped, up to maxAttempts', async () => {
    const timing = new FakeTiming(0.5);
    const errors = [
      apiError(500),
      new APIConnectionError({ message: 'reset' }),
      apiError(503),
      apiError(502),
    ];
    const { request, calls } = failing(...errors);
    const { result, seen } = run(request, timing);
    await expect(result).rejects.toBe(errors[3]);
    // Half (the draw) of min(1000, 100 × 2^attempt) after attempts 1, 2, 3; the 4th is the last.
    expect(timing.sleeps).toEqual([100, 200, 400]);
    expect(seen.retries).toEqual([100, 200, 400]);
    expect(calls()).toBe(4);
  });

  it('does not retry what is not transient: a 400, a 404, an abort', async () => {
    for (const error of [apiError(400), apiError(404), new APIUserAbortError()]) {
      const timing = new FakeTiming();
      const { request, calls } = failing(error);
      await expect(run(request, timing).result).rejects.toBe(error);
      expect(calls()).toBe(1);
      expect(timing.sleeps).toEqual([]);
    }
  });

  it('retries 408 and 409 (OpenAI’s lock timeout)', async () => {
    const timing = new FakeTiming(0);
    const { result } = run(failing(apiError(408), apiError(409)).request, timing);
    expect(await result).toBe('done');
    expect(timing.sleeps).toEqual([0, 0]);
  });
});
