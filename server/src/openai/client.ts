import OpenAI from 'openai';
import type { OpenAIConnection } from '../services/account.service.ts';

export interface OpenAIClientOptions {
  /** SDK-level retries (429 honouring Retry-After, 408/409/5xx, connection errors). */
  maxRetries?: number;
  timeoutMs?: number;
  /** Observes every HTTP attempt, retries included (for request counts on sync runs). */
  onRequest?: (url: string, init: RequestInit | undefined) => void;
  /** Aborts every request of this client (e.g. on shutdown). */
  signal?: AbortSignal;
}

/** The one way this server builds an OpenAI client for an account (tests pass the emulator's URL). */
export function createOpenAIClient(connection: OpenAIConnection, options: OpenAIClientOptions = {}): OpenAI {
  const { onRequest, signal } = options;
  return new OpenAI({
    apiKey: connection.apiKey,
    baseURL: connection.baseURL ?? undefined,
    project: connection.project ?? undefined,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 60_000,
    fetch:
      onRequest || signal
        ? (url: string | URL | Request, init?: RequestInit) => {
            onRequest?.(String(url), init);
            if (signal) {
              init = { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal };
            }
            return fetch(url, init);
          }
        : undefined,
  });
}
