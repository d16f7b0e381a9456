import type { SyncProgressBus, SyncProgressEvent } from './sync-progress.ts';

export interface ClosableSyncProgressBus extends SyncProgressBus {
  /** Ends every open subscription (a pending `next()` settles as done); later ones end at once. */
  closeSubscriptions(): void;
  /** Open subscriptions. */
  readonly size: number;
}

/**
 * Wraps a bus so that shutdown can end its subscriptions: a `syncProgress(runId)` stream then sends
 * the run as stored and completes (SyncService.progress), and the HTTP server can close.
 */
export function closableBus(bus: SyncProgressBus): ClosableSyncProgressBus {
  const open = new Set<() => void>();
  let closed = false;
  return {
    publish: (event) => bus.publish(event),
    get size() {
      return open.size;
    },
    subscribe(accountId) {
      const events = bus.subscribe(accountId);
      let end!: () => void;
      const ended = new Promise<IteratorResult<SyncProgressEvent>>((resolve) => {
        end = () => {
          open.delete(end);
          resolve({ done: true, value: undefined });
        };
      });
      if (closed) end();
      else open.add(end);
      return {
        next: () => Promise.race([ended, events.next()]),
        return: async () => {
          end();
          await events.return?.();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
    closeSubscriptions() {
      closed = true;
      for (const end of [...open]) end();
    },
  };
}
