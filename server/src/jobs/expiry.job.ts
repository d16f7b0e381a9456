import { Cron } from 'croner';
import type { Logger } from '../logger.ts';
import type { ExpiryService } from '../services/expiry.service.ts';

/** Every minute: a store expires at most a minute after its `expires_at`, as in OpenAI. */
export const EXPIRY_SCHEDULE = '* * * * *';

/** Something that calls `tick` on a cron pattern until stopped; tests pass one they drive by hand. */
export type Scheduler = (pattern: string, tick: () => Promise<unknown>) => { stop(): void };

/** Croner; `protect` skips a tick while the previous one still runs, `unref` never holds the process. */
export const cronScheduler: Scheduler = (pattern, tick) =>
  new Cron(pattern, { name: 'expiry', protect: true, unref: true }, async () => {
    await tick();
  });

export interface ExpiryJobOptions {
  schedule?: string;
  /** "Now" for each pass; a fake clock in tests, so nothing waits on wall time. */
  clock?: () => Date;
  scheduler?: Scheduler;
}

/** Runs {@link ExpiryService.expireDuePrimaryStores} on a schedule, never two passes at once. */
export class ExpiryJob {
  private readonly schedule: string;
  private readonly clock: () => Date;
  private readonly scheduler: Scheduler;
  private handle: { stop(): void } | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly expiry: Pick<ExpiryService, 'expireDuePrimaryStores'>,
    private readonly logger: Logger,
    options: ExpiryJobOptions = {},
  ) {
    this.schedule = options.schedule ?? EXPIRY_SCHEDULE;
    this.clock = options.clock ?? (() => new Date());
    this.scheduler = options.scheduler ?? cronScheduler;
  }

  start(): void {
    if (this.handle) return;
    this.handle = this.scheduler(this.schedule, () => this.tick());
  }

  /** Stops scheduling and waits for a pass in progress, so shutdown never cuts a statement short. */
  async stop(): Promise<void> {
    this.handle?.stop();
    this.handle = null;
    await this.running?.catch(() => undefined);
  }

  /**
   * One pass now. A pass already running is joined rather than overlapped (the scheduler's own
   * protection covers only its ticks; this covers a manual call too). Failures are thrown to the caller.
   */
  runOnce(): Promise<number> {
    this.running ??= this.expiry.expireDuePrimaryStores(this.clock()).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A scheduled pass: a failure is logged and the next minute tries again. */
  private async tick(): Promise<void> {
    try {
      const expired = await this.runOnce();
      if (expired > 0) this.logger.info({ expired }, 'Expired primary vector stores');
    } catch (error) {
      this.logger.error({ err: error }, 'Expiry pass failed');
    }
  }
}
