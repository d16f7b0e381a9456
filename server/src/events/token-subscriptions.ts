/**
 * One open subscription: its `signal` aborts when the stream must end (token revoked, or released);
 * `release` frees its slot, once, however the stream ended.
 */
export interface SubscriptionLease {
  signal: AbortSignal;
  release(): void;
}

/**
 * Open subscriptions per token on this process: at most `perToken` at once, and every one of a token
 * is ended soon after the token is revoked (checked every `checkEveryMs` while any is open, so a
 * revocation by the CLI or another replica is seen too). Nothing runs while no stream is open.
 */
export class TokenSubscriptions {
  private readonly open = new Map<string, Set<AbortController>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly perToken: number,
    private readonly revokedAmong: (tokenIds: string[]) => Promise<string[]>,
    private readonly checkEveryMs: number,
    private readonly onCheckFailed: (error: unknown) => void = () => {},
  ) {}

  /** A lease for a new stream of the token, or null when it already has `perToken` open. */
  take(tokenId: string): SubscriptionLease | null {
    const streams = this.open.get(tokenId) ?? new Set<AbortController>();
    if (streams.size >= this.perToken) return null;
    const controller = new AbortController();
    streams.add(controller);
    this.open.set(tokenId, streams);
    this.schedule();
    return {
      signal: controller.signal,
      release: () => {
        controller.abort();
        streams.delete(controller);
        if (streams.size === 0 && this.open.get(tokenId) === streams) this.open.delete(tokenId);
        if (this.open.size === 0) this.stopChecking();
      },
    };
  }

  /** Open streams of a token (all tokens without one). */
  count(tokenId?: string): number {
    if (tokenId !== undefined) return this.open.get(tokenId)?.size ?? 0;
    let total = 0;
    for (const streams of this.open.values()) total += streams.size;
    return total;
  }

  /** Ends every open stream of the given tokens. */
  endStreamsOf(tokenIds: Iterable<string>): void {
    for (const tokenId of tokenIds) {
      for (const controller of this.open.get(tokenId) ?? []) controller.abort();
    }
  }

  /** Looks up which tokens with open streams were revoked, and ends their streams. */
  async checkRevocations(): Promise<void> {
    if (this.open.size === 0) return;
    this.endStreamsOf(await this.revokedAmong([...this.open.keys()]));
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.checkRevocations().catch(this.onCheckFailed);
    }, this.checkEveryMs);
    this.timer.unref();
  }

  private stopChecking(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * Ends a bus subscription when `signal` aborts: a pending `next()` settles as done (so a generator
 * reading it moves on and finishes), and the subscription is returned.
 */
export function endOnAbort<T>(events: AsyncIterator<T>, signal?: AbortSignal): AsyncIterableIterator<T> {
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    if (signal?.aborted) resolve({ done: true, value: undefined });
    else signal?.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
  });
  return {
    async next() {
      const result = await Promise.race([aborted, events.next()]);
      if (result.done) await events.return?.();
      return result;
    },
    async return() {
      await events.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Releases a subscription's lease however its stream ends. On `return()` (the client went away) the
 * lease is released first, which also aborts the stream's source, so a generator waiting for its next
 * event can finish instead of holding the return back.
 */
export function releaseOnEnd<T>(events: AsyncGenerator<T>, lease: SubscriptionLease): AsyncGenerator<T> {
  return {
    async next() {
      const result = await events.next();
      if (result.done) lease.release();
      return result;
    },
    async return(value) {
      lease.release();
      return events.return(value);
    },
    async throw(error) {
      lease.release();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    async [Symbol.asyncDispose]() {
      lease.release();
      await events.return(undefined);
    },
  };
}
