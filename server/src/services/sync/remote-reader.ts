import OpenAI, { APIConnectionError, APIError, NotFoundError as OpenAINotFoundError } from 'openai';
import {
  parseElement,
  parseOne,
  RejectedElement,
  splitRejected,
  remoteFileSchema,
  remoteVectorStoreFileSchema,
  remoteVectorStoreSchema,
  type RejectedObject,
  type RemoteFile,
  type RemoteVectorStore,
  type RemoteVectorStoreFile,
} from '../../openai/remote-objects.ts';
import type { AdaptiveLimiter, RequestOutcome } from './adaptive-limiter.ts';
import { asApiKeyRejection } from './api-key-rejection.ts';
import { isTransient, withRetry, type RetryPolicy } from './retry.ts';
import { readListAnswer } from '../../openai/list-answer.ts';
import type { z } from 'zod';

export type { RejectedObject, RemoteFile, RemoteVectorStore, RemoteVectorStoreFile };

export interface Page<T> {
  /** The objects of the page that could be read. */
  data: T[];
  /** Objects OpenAI sent that do not fit what it is known to send: each is reported on its own. */
  rejected: RejectedObject[];
  /** No page follows: a listing that reached it is complete. */
  last: boolean;
}

/** A list request of the SDK, whose answer is read here rather than by the SDK (see `readPage`). */
interface ListRequest {
  asResponse(): Promise<Response>;
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

  private async call<T>(request: (options: { signal?: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      return await this.limitedWithRetries(request);
    } catch (error) {
      // A rejected key fails every request alike: the run stops on the first one (see AccountSync).
      throw asApiKeyRejection(error) ?? error;
    }
  }

  private limitedWithRetries<T>(request: (options: { signal?: AbortSignal }) => Promise<T>): Promise<T> {
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

  /**
   * Follows `after=` cursors until `has_more` is false; the last page (maybe empty) says so. Each
   * object is parsed on its own against what OpenAI really sends (the SDK's types are not checked).
   */
  private async *pages<T>(
    schema: z.ZodType<T>,
    list: (after: string | undefined, options: { signal?: AbortSignal }) => ListRequest,
  ): AsyncGenerator<Page<T>> {
    let after: string | undefined;
    for (;;) {
      const { page, cursor } = await this.readPage(schema, (options) => list(after, options));
      yield page;
      if (page.last) return;
      if (cursor === null) {
        throw new Error('OpenAI sent a page whose last object has no id: the listing cannot go on');
      }
      after = cursor;
    }
  }

  /**
   * One page, parsed. The answer is read as it arrives, an object at a time (`readListAnswer`): it is
   * never held whole as text, and only the parsed objects live on while the page is written.
   */
  private async readPage<T>(
    schema: z.ZodType<T>,
    list: (options: { signal?: AbortSignal }) => ListRequest,
  ): Promise<{ page: Page<T>; cursor: string | null }> {
    const answer = (await this.call(async (options) => {
      const response = await list(options).asResponse();
      try {
        // Each object is parsed as it arrives: its raw JSON is garbage at once.
        return await readListAnswer(response.body, (element) => parseElement(schema, element));
      } catch (error) {
        if (error instanceof SyntaxError || options.signal?.aborted) throw error;
        // The connection broke off mid-answer: as worth retrying as one that broke before it.
        throw new APIConnectionError({
          message: 'The answer broke off before its end',
          cause: error as Error,
        });
      }
    })) as { data: readonly (T | RejectedElement)[]; has_more: boolean };
    const { items, rejected } = splitRejected(answer.data);
    // Where the next page starts: the last object's id (a rejected object keeps a usable id, if any).
    const last = answer.data.at(-1) as { id: string | null } | undefined;
    return {
      page: { data: items, rejected, last: !answer.has_more || answer.data.length === 0 },
      cursor: last?.id ?? null,
    };
  }

  storePages(): AsyncGenerator<Page<RemoteVectorStore>> {
    return this.pages(remoteVectorStoreSchema, (after, options) =>
      this.client.vectorStores.list({ limit: STORE_PAGE, ...(after ? { after } : {}) }, options),
    );
  }

  storeFilePages(vectorStoreId: string): AsyncGenerator<Page<RemoteVectorStoreFile>> {
    return this.pages(remoteVectorStoreFileSchema, (after, options) =>
      this.client.vectorStores.files.list(
        vectorStoreId,
        { limit: STORE_FILE_PAGE, ...(after ? { after } : {}) },
        options,
      ),
    );
  }

  filePages(): AsyncGenerator<Page<RemoteFile>> {
    return this.pages(remoteFileSchema, (after, options) =>
      this.client.files.list({ limit: FILE_PAGE, ...(after ? { after } : {}) }, options),
    );
  }

  /**
   * The store, or null when OpenAI says it does not exist (404). Throws `UnreadableObjectError` when
   * the answer does not fit what OpenAI sends.
   */
  async retrieveStore(vectorStoreId: string): Promise<RemoteVectorStore | null> {
    let store: unknown;
    try {
      store = await this.call((options) => this.client.vectorStores.retrieve(vectorStoreId, options));
    } catch (error) {
      if (error instanceof OpenAINotFoundError) return null;
      throw error;
    }
    return parseOne(remoteVectorStoreSchema, 'vector store', store);
  }
}
