import type { Logger } from '../logger.ts';
import type { SyncService } from '../services/sync/sync.service.ts';

/** How often a replica looks for runs left RUNNING by a process that died. */
export const DEAD_RUN_CHECK_MS = 30_000;

/**
 * Marks the runs of a killed replica FAILED while the other replicas keep going: a run is dead when
 * its account's sync lock is free (`SyncService.markDeadRuns`), which every replica may check, so it
 * is found within one interval whichever replica survives, not only when one restarts.
 */
export class DeadRunJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly sync: Pick<SyncService, 'markDeadRuns'>,
    private readonly logger: Logger,
    private readonly intervalMs = DEAD_RUN_CHECK_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass now, or the one already going. */
  tick(): Promise<void> {
    this.running ??= this.sync
      .markDeadRuns()
      .then((marked) => {
        if (marked > 0) this.logger.warn({ runs: marked }, 'Marked sync runs of a stopped process as FAILED');
      })
      .catch((error) => this.logger.error({ err: error }, 'Cannot look for sync runs of stopped processes'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
