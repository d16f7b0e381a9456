import { setMaxListeners } from 'node:events';
import { createPubSub } from 'graphql-yoga';
import type { SyncRunStatus } from '../db/entities/sync-run.entity.ts';

/**
 * A snapshot of a run's progress. Events carry totals, never deltas, so a subscriber that missed one
 * loses nothing: the next supersedes it, and the run's row holds the same numbers (re-read it).
 */
export interface SyncProgressEvent {
  runId: string;
  accountId: string;
  /** Increases by one per event of a run: a gap means events were missed. */
  sequence: number;
  status: SyncRunStatus;
  phase: string;
  storesDone: number;
  storesTotal: number;
  filesDone: number;
  requests: number;
  retries: number;
  /** Requests answered 429 so far. */
  throttled: number;
  /** Requests in flight the account's limiter allows now (null before the first request). */
  concurrencyLimit: number | null;
  /** The last event of the run: `status` is its outcome. */
  final: boolean;
  at: Date;
}

/**
 * Publish/subscribe of sync progress, per account. Two implementations: the in-process bus below, and
 * the PostgreSQL LISTEN/NOTIFY bus (pg-notify-bus.ts) that carries events between replicas and hands
 * them to an in-process bus of its own.
 */
export interface SyncProgressBus {
  publish(event: SyncProgressEvent): void;
  /**
   * Events of one account's runs, from now on. The subscription is live when this returns, so nothing
   * published afterwards is missed. Ending the iteration (`return()`) unsubscribes.
   */
  subscribe(accountId: string): AsyncIterableIterator<SyncProgressEvent>;
}

/** Yoga's in-memory pubsub, keyed by account. */
export function createInProcessSyncProgressBus(): SyncProgressBus {
  // Hundreds of subscribers of one account are normal: no "possible leak" warning at 10 listeners.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubsub = createPubSub<{ syncProgress: [accountId: string, event: SyncProgressEvent] }>({
    eventTarget: eventTarget as never,
  });
  return {
    publish: (event) => pubsub.publish('syncProgress', event.accountId, event),
    subscribe(accountId) {
      const events = pubsub.subscribe('syncProgress', accountId);
      // A Repeater attaches its listener on the first next(): start it now and hand that first
      // result to the caller's first next(), so events published before then are not lost.
      let first: Promise<IteratorResult<SyncProgressEvent>> | null = events.next();
      return {
        next: () => {
          const result = first ?? events.next();
          first = null;
          return result;
        },
        return: async () => {
          first = null;
          return events.return();
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
  };
}
