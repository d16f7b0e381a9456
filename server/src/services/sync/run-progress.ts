import type { DataSource } from 'typeorm';
import { SyncRunEntity } from '../../db/entities/sync-run.entity.ts';
import type { SyncProgressBus, SyncProgressEvent } from '../../events/sync-progress.ts';

/** The counters a run keeps on its row, written together at each progress tick. */
const COUNTERS = [
  'phase',
  'storesTotal',
  'storesDone',
  'storesCreated',
  'storesUpdated',
  'storesRemoved',
  'filesDone',
  'filesCreated',
  'filesUpdated',
  'filesRemoved',
  'orphansFound',
  'requests',
  'retries',
  'throttled',
  'concurrencyLimit',
  'rateLimit',
  'errors',
] as const satisfies ReadonlyArray<keyof SyncRunEntity>;

export function progressEvent(run: SyncRunEntity, sequence: number): SyncProgressEvent {
  return {
    runId: run.id,
    accountId: run.accountId,
    sequence,
    status: run.status,
    phase: run.phase,
    storesDone: run.storesDone,
    storesTotal: run.storesTotal,
    filesDone: run.filesDone,
    requests: run.requests,
    retries: run.retries,
    throttled: run.throttled,
    concurrencyLimit: run.concurrencyLimit,
    final: run.status !== 'RUNNING',
    at: new Date(),
  };
}

/**
 * Throttles a run's progress: however fast counters move, the row is written and an event published
 * at most once per `intervalMs`, and always once more at the end (the final event, exactly once).
 */
export class RunProgress {
  private sequence = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastFlushAt = 0;
  private flushing: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    readonly run: SyncRunEntity,
    private readonly db: DataSource,
    private readonly bus: SyncProgressBus,
    private readonly intervalMs: number,
  ) {}

  /** Counters on `run` moved: report them soon. */
  changed(): void {
    if (this.timer || this.finished) return;
    const wait = Math.max(0, this.lastFlushAt + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }

  private flush(): Promise<void> {
    this.lastFlushAt = performance.now();
    const values = Object.fromEntries(COUNTERS.map((key) => [key, this.run[key]]));
    const event = progressEvent(this.run, ++this.sequence);
    // Flushes are chained so that rows and events never go out of order.
    this.flushing = this.flushing
      .then(() => this.db.getRepository(SyncRunEntity).update(this.run.id, values))
      .then(() => this.bus.publish(event))
      .catch(() => {
        // Progress is best effort; the final write below is the one that counts.
      });
    return this.flushing;
  }

  /** Writes the outcome and publishes the final event. */
  async finish(): Promise<void> {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    const values = Object.fromEntries(COUNTERS.map((key) => [key, this.run[key]]));
    await this.db
      .getRepository(SyncRunEntity)
      .update(this.run.id, { ...values, status: this.run.status, finishedAt: this.run.finishedAt });
    this.bus.publish(progressEvent(this.run, ++this.sequence));
  }
}
