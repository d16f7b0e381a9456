import { setTimeout as sleep } from 'node:timers/promises';
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is a random delay up to `baseDelayMs × 2^n`, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for (it usually means an exhausted quota). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

export interface RetryHooks {
  /** Called before every attempt (request counting, rate limiting). */
  beforeAttempt(): Promise<void>;
  /** Called when an attempt failed and another follows after `delayMs`. */
  onRetry(delayMs: number, error: unknown): void;
  /** OpenAI asked for a pause (429 `Retry-After`): every request of the run should wait. */
  onRetryAfter(delayMs: number): void;
}

/** What retries read of time and chance; tests pass a fake clock and a fixed draw. */
export interface RetryTiming {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1), for the backoff's jitter. */
  random(): number;
}

const REAL_TIMING: RetryTiming = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
  random: () => Math.random(),
};

/** How long OpenAI asked us to wait, from `retry-after-ms` or `retry-after` (seconds or a date). */
export function retryAfterMs(headers: Headers | undefined, nowMs: number): number | null {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** Transient failures: connection errors and timeouts, 408, 409 (OpenAI's lock timeout), 429, 5xx. */
export function isTransient(error: unknown): boolean {
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true;
  if (!(error instanceof APIError) || error.status === undefined) return false;
  return error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
}

/**
 * Runs one OpenAI request with our own retries (the SDK's are turned off so that every attempt is
 * counted and rate limited). 429 waits what `Retry-After` says; everything else backs off
 * exponentially with full jitter, so concurrent workers do not retry in lockstep.
 */
export async function withRetry<T>(
  request: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
  signal?: AbortSignal,
  timing: RetryTiming = REAL_TIMING,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await hooks.beforeAttempt();
    try {
      return await request();
    } catch (error) {
      if (signal?.aborted || attempt >= policy.maxAttempts || !isTransient(error)) throw error;
      let delayMs = timing.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      const asked =
        error instanceof APIError && error.status === 429 ? retryAfterMs(error.headers, timing.now()) : null;
      if (asked !== null) {
        if (asked > policy.maxRetryAfterMs) throw error;
        delayMs = asked;
        hooks.onRetryAfter(asked);
      }
      hooks.onRetry(delayMs, error);
      await timing.sleep(delayMs, signal);
    }
  }
}
