/**
 * Group commit for database writes: items pushed while batches are being written are written together
 * in the next one. An idle writer adds no delay (the first item goes at once); a busy one turns many
 * small statements into a few large ones, which is what keeps PostgreSQL off the critical path when
 * dozens of stores finish listing at the same moment. Up to `parallel` batches are written at once
 * (on as many pooled connections); callers that need an order push the next item only after the
 * previous one resolved.
 */
export class Batcher<T, R> {
  private queue: Array<{ item: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private flushing = 0;

  constructor(
    /** Writes a batch; returns one result per item, in order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxItems = 200,
    private readonly parallel = 1,
  ) {}

  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.flushing < this.parallel) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing++;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxItems);
      try {
        const results = await this.write(batch.map((entry) => entry.item));
        // A writer that answers fewer (or more) results than items has lost track of which is which.
        if (results.length !== batch.length) {
          throw new Error(`A batch of ${batch.length} items was written with ${results.length} results.`);
        }
        batch.forEach((entry, i) => entry.resolve(results[i]!));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing--;
  }
}
