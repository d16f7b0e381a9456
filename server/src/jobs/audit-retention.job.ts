import { Cron } from 'croner';
import type { Logger } from '../logger.ts';
import type { AuditService } from '../services/audit.service.ts';
import type { Scheduler } from './expiry.job.ts';

/** Daily at 03:17 (off the hour, when scheduled syncs pile up); also once at start (main.ts). */
export const AUDIT_RETENTION_SCHEDULE = '17 3 * * *';

const cronScheduler: Scheduler = (pattern, tick) =>
  new Cron(pattern, { name: 'audit-retention', protect: true, unref: true }, async () => {
    await tick();
  });

/** Deletes audit events older than the retention period (`AUDIT_RETENTION_DAYS`). */
export class AuditRetentionJob {
  private handle: { stop(): void } | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly audit: Pick<AuditService, 'prune'>,
    private readonly retentionDays: number,
    private readonly logger: Logger,
    private readonly scheduler: Scheduler = cronScheduler,
    private readonly schedule = AUDIT_RETENTION_SCHEDULE,
  ) {}

  start(): void {
    if (this.handle) return;
    this.handle = this.scheduler(this.schedule, () => this.tick());
  }

  async stop(): Promise<void> {
    this.handle?.stop();
    this.handle = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass now (or the one already going); failures are thrown to the caller. */
  runOnce(): Promise<number> {
    this.running ??= this.audit.prune(this.retentionDays).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A scheduled pass: a failure is logged and tomorrow's pass tries again. */
  async tick(): Promise<void> {
    try {
      const pruned = await this.runOnce();
      if (pruned > 0) this.logger.info({ pruned, retentionDays: this.retentionDays }, 'Pruned audit events');
    } catch (error) {
      this.logger.error({ err: error }, 'Audit retention pass failed');
    }
  }
}
