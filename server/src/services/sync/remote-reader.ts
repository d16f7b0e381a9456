import OpenAI, { APIError, NotFoundError as OpenAINotFoundError } from 'openai';
import type { FileObject } from 'openai/resources/files';
import type { VectorStore } from 'openai/resources/vector-stores/vector-stores';
import type { VectorStoreFile } from 'openai/resources/vector-stores/files';
import type { AdaptiveLimiter, RequestOutcome } from './adaptive-limiter.ts';
import { isTransient, withRetry, type RetryPolicy } from './retry.ts';

export type { FileObject, VectorStore, VectorStoreFile };

export interface Page<T> {
  data: T[];
  /** No page follows: a listing that reached it is complete. */
  last: boolean;
}

/** Requests made by a run, retries included, how many of them were retries, and how many were 429s. */
export interface RequestCounters {
  requests: number;
  retries: number;
  throttled: number;
}

/** What an answer tells the limiter: a 429, a transient failure, or an answer (404s included). */
function outcomeOf(error: unknown): RequestOutcome {
  if (error instanceof APIError && error.status === 429) return 'throttled';
  return isTransient(error) ? 'failed' : 'ok';
}

/** The largest pages OpenAI allows: fewer round trips is the whole game at 20+ ms each. */
const STORE_PAGE = 100;
const STORE_FILE_PAGE = 100;
const FILE_PAGE = 10_000;

/**
 * Reads one account's objects from OpenAI, page by page. Every request goes through the account's
 * adaptive limiter and the retry policy, and is counted. Pages are yielded as they arrive, so the caller writes
 * each one and lets it go: memory stays at one page per concurrent listing, whatever the account size.
 */
export class RemoteReader {
  constructor(
    private readonly client: OpenAI,
    private readonly limiter: AdaptiveLimiter,
    private readonly policy: RetryPolicy,
    readonly counters: RequestCounters,
    private readonly signal?: AbortSignal,
  ) {}

  /** The account's limits in force now (they change as OpenAI answers). */
  get limits(): { concurrency: number; requestsPerSecond: number | null } {
    return this.limiter.limits;
  }

  private call<T>(request: (options: { signal?: AbortSignal }) => Promise<T>): Promise<T> {
    const options = this.signal ? { signal: this.signal } : {};
    const attempt = async () => {
      const permit = await this.limiter.acquire(this.signal);
      this.counters.requests++;
      const started = performance.now();
      try {
        const result = await request(options);
        permit.release('ok', performance.now() - started);
        return result;
      } catch (error) {
        const outcome = outcomeOf(error);
        if (outcome === 'throttled') this.counters.throttled++;
        permit.release(outcome, performance.now() - started);
        throw error;
      }
    };
    return withRetry(
      attempt,
      this.policy,
      {
        beforeAttempt: async () => {},
        onRetry: () => {
          this.counters.retries++;
        },
        onRetryAfter: (ms) => this.limiter.pauseFor(ms),
      },
      this.signal,
    );
  }

  /** Follows `after=` cursors until `has_more` is false; the last page (maybe empty) says so. */
  private async *pages<T extends { id: string }>(
    list: (
      after: string | undefined,
      options: { signal?: AbortSignal },
    ) => Promise<{ data: T[]; has_more: boolean }>,
  ): AsyncGenerator<Page<T>> {
    let after: string | undefined;
    for (;;) {
      const page = await this.call((options) => list(after, options));
      const last = !page.has_more || page.data.length === 0;
      yield { data: page.data, last };
      if (last) return;
      after = page.data[page.data.length - 1]!.id;
    }
  }

  storePages(): AsyncGenerator<Page<VectorStore>> {
    return this.pages((after, options) =>
      this.client.vectorStores.list({ limit: STORE_PAGE, ...(after ? { after } : {}) }, options),
    );
  }

  storeFilePages(vectorStoreId: string): AsyncGenerator<Page<VectorStoreFile>> {
    return this.pages((after, options) =>
      this.client.vectorStores.files.list(
        vectorStoreId,
        { limit: STORE_FILE_PAGE, ...(after ? { after } : {}) },
        options,
      ),
    );
  }

  filePages(): AsyncGenerator<Page<FileObject>> {
    return this.pages((after, options) =>
      this.client.files.list({ limit: FILE_PAGE, ...(after ? { after } : {}) }, options),
    );
  }

  /** The store, or null when OpenAI says it does not exist (404). */
  async retrieveStore(vectorStoreId: string): Promise<VectorStore | null> {
    try {
      return await this.call((options) => this.client.vectorStores.retrieve(vectorStoreId, options));
    } catch (error) {
      if (error instanceof OpenAINotFoundError) return null;
      throw error;
    }
  }
}
