import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { SyncProgressBus } from '../events/sync-progress.ts';

/**
 * Prometheus metrics. Sync and queue figures are read from the database at scrape time, so every
 * replica reports the same cluster-wide numbers and nothing is lost when a process restarts; the
 * subscriber gauge and the process metrics are this process's own. No label carries an account
 * name, a key or a token.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly subscribers: Gauge;

  constructor(db: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'vs_align_' });
    const registers = [this.registry];

    const runs = new Counter({
      collect: () => refresh(),
      name: 'vs_align_sync_runs_total',
      help: 'Finished sync runs by outcome.',
      labelNames: ['status'],
      registers,
    });
    const seconds = new Counter({
      collect: () => refresh(),
      name: 'vs_align_sync_duration_seconds_total',
      help: 'Wall time of finished sync runs.',
      registers,
    });
    const requests = new Counter({
      collect: () => refresh(),
      name: 'vs_align_sync_openai_requests_total',
      help: 'OpenAI requests made by sync runs.',
      registers,
    });
    const retries = new Counter({
      collect: () => refresh(),
      name: 'vs_align_sync_openai_retries_total',
      help: 'OpenAI requests retried by sync runs.',
      registers,
    });
    const throttled = new Counter({
      collect: () => refresh(),
      name: 'vs_align_sync_openai_throttled_total',
      help: 'OpenAI requests of sync runs answered 429.',
      registers,
    });
    const errors = new Counter({
      collect: () => refresh(),
      name: 'vs_align_sync_errors_total',
      help: 'Errors recorded on sync runs.',
      registers,
    });
    const running = new Gauge({
      collect: () => refresh(),
      name: 'vs_align_sync_running',
      help: 'Sync runs in progress.',
      registers,
    });
    const depth = new Gauge({
      collect: () => refresh(),
      name: 'vs_align_deletion_queue_depth',
      help: 'Remote deletions waiting or in progress.',
      registers,
    });
    const age = new Gauge({
      collect: () => refresh(),
      name: 'vs_align_deletion_queue_oldest_seconds',
      help: 'Age of the oldest queued remote deletion.',
      registers,
    });
    const rejectedKeys = new Gauge({
      collect: () => refresh(),
      name: 'vs_align_accounts_openai_key_rejected',
      help: 'Accounts whose OpenAI API key OpenAI refused on their last sync (scheduled syncs wait).',
      registers,
    });
    this.subscribers = new Gauge({
      name: 'vs_align_sync_progress_subscribers',
      help: 'Open syncProgress subscriptions in this process.',
      registers,
    });

    // One scrape reads everything in two queries, whichever metric asks first.
    let snapshot: Promise<void> | null = null;
    function refresh(): Promise<void> {
      snapshot ??= (async () => {
        const byStatus: Array<{
          status: string;
          runs: string;
          seconds: string;
          requests: string;
          retries: string;
          throttled: string;
          errors: string;
        }> = await db.query(
          `SELECT status, count(*) AS runs,
                    coalesce(sum(extract(epoch FROM finished_at - started_at)), 0) AS seconds,
                    coalesce(sum(requests), 0) AS requests, coalesce(sum(retries), 0) AS retries,
                    coalesce(sum(throttled), 0) AS throttled,
                    coalesce(sum(jsonb_array_length(errors)), 0) AS errors
               FROM sync_run GROUP BY status`,
        );
        const [queue]: Array<{ depth: string; oldest: string | null; rejected: string }> = await db.query(
          `SELECT count(*) AS depth, extract(epoch FROM now() - min(created_at)) AS oldest,
                  (SELECT count(*) FROM account WHERE openai_key_rejected_at IS NOT NULL) AS rejected
             FROM remote_deletion`,
        );
        for (const metric of [runs, seconds, requests, retries, throttled, errors]) metric.reset();
        running.set(0);
        for (const row of byStatus) {
          if (row.status === 'RUNNING') running.set(Number(row.runs));
          else {
            runs.inc({ status: row.status }, Number(row.runs));
            seconds.inc(Number(row.seconds));
          }
          requests.inc(Number(row.requests));
          retries.inc(Number(row.retries));
          throttled.inc(Number(row.throttled));
          errors.inc(Number(row.errors));
        }
        depth.set(Number(queue?.depth ?? 0));
        age.set(Number(queue?.oldest ?? 0));
        rejectedKeys.set(Number(queue?.rejected ?? 0));
      })().finally(() => setTimeout(() => (snapshot = null), 0));
      return snapshot;
    }
  }

  /** Reports the OpenAI limits each account's limiter allows now in this process. */
  observeLimits(
    read: () => Array<{ accountId: string; concurrency: number; requestsPerSecond: number | null }>,
  ) {
    const registers = [this.registry];
    new Gauge({
      name: 'vs_align_openai_concurrency_limit',
      help: "OpenAI requests in flight an account's adaptive limiter allows now (this process).",
      labelNames: ['account'],
      registers,
      collect() {
        this.reset();
        for (const limits of read()) this.set({ account: limits.accountId }, limits.concurrency);
      },
    });
    new Gauge({
      name: 'vs_align_openai_rate_limit',
      help: 'OpenAI requests per second an account may send, learnt from 429s (absent: no limit).',
      labelNames: ['account'],
      registers,
      collect() {
        this.reset();
        for (const limits of read()) {
          if (limits.requestsPerSecond !== null)
            this.set({ account: limits.accountId }, limits.requestsPerSecond);
        }
      },
    });
  }

  /** Counts open subscriptions of a progress bus in the subscriber gauge. */
  instrument(bus: SyncProgressBus): SyncProgressBus {
    const gauge = this.subscribers;
    return {
      publish: (event) => bus.publish(event),
      subscribe(accountId) {
        const events = bus.subscribe(accountId);
        gauge.inc();
        let open = true;
        const done = () => {
          if (open) gauge.dec();
          open = false;
        };
        return {
          next: async () => {
            const result = await events.next();
            if (result.done) done();
            return result;
          },
          return: async (value?: unknown) => {
            done();
            return (await events.return?.(value)) ?? { done: true, value: undefined };
          },
          [Symbol.asyncIterator]() {
            return this;
          },
        };
      },
    };
  }

  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
