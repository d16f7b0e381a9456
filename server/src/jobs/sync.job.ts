import { Cron } from 'croner';
import type { AccountEntity } from '../db/entities/account.entity.ts';
import type { Logger } from '../logger.ts';
import { SyncHeldError, type SyncService } from '../services/sync/sync.service.ts';

/** How often the job looks for new accounts and changed schedules. */
const REFRESH_MS = 60_000;

export interface SyncJobOptions {
  refreshMs?: number;
}

/**
 * One croner schedule per account (`account.sync_schedule`). `protect` skips a tick while the
 * previous one still runs in this process; the sync's advisory lock does the same across processes,
 * so several server replicas may all run this job. An account that has never been synced is synced
 * as soon as it is scheduled: a first start shows the collection, not an empty list until the
 * schedule's first tick.
 */
export class SyncJob {
  private readonly crons = new Map<string, { pattern: string; cron: Cron }>();
  private refresher: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly sync: Pick<SyncService, 'runSync' | 'countRuns'>,
    private readonly listAccounts: () => Promise<AccountEntity[]>,
    private readonly logger: Logger,
    private readonly options: SyncJobOptions = {},
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.refresh();
    this.refresher = setInterval(() => void this.refresh(), this.options.refreshMs ?? REFRESH_MS);
    this.refresher.unref();
  }

  /** Schedules new accounts, reschedules changed ones, and drops deleted ones. */
  async refresh(): Promise<void> {
    let accounts: AccountEntity[];
    try {
      accounts = await this.listAccounts();
    } catch (error) {
      this.logger.error({ err: error }, 'Cannot read accounts to schedule syncs');
      return;
    }
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const account of accounts) {
      seen.add(account.id);
      const current = this.crons.get(account.id);
      if (current?.pattern === account.syncSchedule) continue;
      current?.cron.stop();
      try {
        const cron = new Cron(
          account.syncSchedule,
          { name: `sync:${account.id}`, protect: true, unref: true },
          () => this.tick(account.id),
        );
        this.crons.set(account.id, { pattern: account.syncSchedule, cron });
        if (!current) await this.syncIfNeverSynced(account.id);
        if (this.stopped) return this.stop();
      } catch (error) {
        this.crons.delete(account.id);
        this.logger.error(
          { err: error, accountId: account.id },
          'Invalid sync schedule; the account is not synced',
        );
      }
    }
    for (const [accountId, { cron }] of this.crons) {
      if (!seen.has(accountId)) {
        cron.stop();
        this.crons.delete(accountId);
      }
    }
  }

  private async syncIfNeverSynced(accountId: string): Promise<void> {
    if (this.stopped) return;
    try {
      if ((await this.sync.countRuns(accountId)) === 0) void this.tick(accountId);
    } catch (error) {
      this.logger.error({ err: error, accountId }, 'Cannot tell whether the account was ever synced');
    }
  }

  private async tick(accountId: string): Promise<void> {
    try {
      const run = await this.sync.runSync({ accountId, trigger: 'SCHEDULE' });
      const level = run.status === 'SUCCEEDED' ? 'info' : 'warn';
      this.logger[level](
        { accountId, runId: run.id, status: run.status, requests: run.requests },
        'Scheduled sync',
      );
    } catch (error) {
      if (error instanceof SyncHeldError) {
        this.logger.warn({ accountId, reason: error.message }, 'Scheduled sync held');
        return;
      }
      this.logger.error({ err: error, accountId }, 'Scheduled sync failed to start');
    }
  }

  /** Stops scheduling; runs in progress are stopped by `SyncService.shutdown`. */
  stop(): void {
    this.stopped = true;
    if (this.refresher) clearInterval(this.refresher);
    this.refresher = null;
    for (const { cron } of this.crons.values()) cron.stop();
    this.crons.clear();
  }
}
