import OpenAI from 'openai';
import type { OpenAIConnection } from '../services/account.service.ts';
import type { AdaptiveLimiter, RequestOutcome } from '../services/sync/adaptive-limiter.ts';

export interface OpenAIClientOptions {
  /** SDK-level retries (429 honouring Retry-After, 408/409/5xx, connection errors). */
  maxRetries?: number;
  timeoutMs?: number;
  /** Observes every HTTP attempt, retries included (for request counts on sync runs). */
  onRequest?: (url: string, init: RequestInit | undefined) => void;
  /** Aborts every request of this client (e.g. on shutdown). */
  signal?: AbortSignal;
  /** The account's limiter: every HTTP attempt waits for it and tells it how OpenAI answered. */
  limiter?: AdaptiveLimiter;
}

/** What an HTTP status tells a limiter: 429 throttled, 408/409/5xx failed, anything else an answer. */
function outcomeOfStatus(status: number): RequestOutcome {
  if (status === 429) return 'throttled';
  return status === 408 || status === 409 || status >= 500 ? 'failed' : 'ok';
}

/** `fetch` through a limiter: one permit per attempt, released with the answer's outcome. */
function limitedFetch(limiter: AdaptiveLimiter, signal?: AbortSignal): typeof fetch {
  return async (url, init) => {
    const permit = await limiter.acquire(signal);
    const started = performance.now();
    try {
      const response = await fetch(url, init);
      const outcome = outcomeOfStatus(response.status);
      const retryAfter = Number(
        response.headers.get('retry-after-ms') ?? response.headers.get('retry-after') ?? NaN,
      );
      if (outcome === 'throttled' && Number.isFinite(retryAfter)) {
        limiter.pauseFor(response.headers.has('retry-after-ms') ? retryAfter : retryAfter * 1000);
      }
      permit.release(outcome, performance.now() - started);
      return response;
    } catch (error) {
      permit.release('failed', performance.now() - started);
      throw error;
    }
  };
}

/** The one way this server builds an OpenAI client for an account (tests pass the emulator's URL). */
export function createOpenAIClient(connection: OpenAIConnection, options: OpenAIClientOptions = {}): OpenAI {
  const { onRequest, signal, limiter } = options;
  const send = limiter ? limitedFetch(limiter, signal) : fetch;
  return new OpenAI({
    apiKey: connection.apiKey,
    baseURL: connection.baseURL ?? undefined,
    project: connection.project ?? undefined,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 60_000,
    fetch:
      onRequest || signal || limiter
        ? (url: string | URL | Request, init?: RequestInit) => {
            onRequest?.(String(url), init);
            if (signal) {
              init = { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal };
            }
            return send(url, init);
          }
        : undefined,
  });
}
