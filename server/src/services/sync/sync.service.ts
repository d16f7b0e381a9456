import { setTimeout as sleep } from 'node:timers/promises';
import type OpenAI from 'openai';
import type { DataSource } from 'typeorm';
import { AccountEntity } from '../../db/entities/account.entity.ts';
import { SyncRunEntity, type SyncTrigger } from '../../db/entities/sync-run.entity.ts';
import { VectorStoreEntity } from '../../db/entities/vector-store.entity.ts';
import type { SyncProgressBus, SyncProgressEvent } from '../../events/sync-progress.ts';
import { createOpenAIClient } from '../../openai/client.ts';
import { endOnAbort } from '../../events/token-subscriptions.ts';
import type { AccountService, OpenAIConnection } from '../account.service.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { applyKeyset, encodeCursor, type PageRequest, type SortKey } from '../keyset.ts';
import { AccountSync, copyCounters } from './account-sync.ts';
import { AdaptiveLimiter } from './adaptive-limiter.ts';
import { tryLockAccountSync, type HeldLock } from './advisory-lock.ts';
import { apiKeyRejectedMessage, asApiKeyRejection } from './api-key-rejection.ts';
import { MirrorWriter } from './mirror-writer.ts';
import { RemoteReader } from './remote-reader.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import { progressEvent, RunProgress } from './run-progress.ts';
import type { Logger } from '../../logger.ts';
import type { OrphanService, OrphanTotals } from '../orphan.service.ts';
import type { UsageHistoryService } from '../usage-history.service.ts';

export interface SyncOptions {
  /** Upper bound on OpenAI requests in flight per account; the limit in force is found by itself. */
  concurrency: number;
  /** Upper bound on OpenAI requests per second per account (0 = none). */
  maxRequestsPerSecond: number;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  /** At most one progress event (and row update) per interval. */
  progressIntervalMs: number;
  /** How an OpenAI client is built for an account (tests and benchmarks keep the default). */
  createClient: (connection: OpenAIConnection, timeoutMs: number) => OpenAI;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  concurrency: 128,
  maxRequestsPerSecond: 0,
  retry: DEFAULT_RETRY_POLICY,
  requestTimeoutMs: 60_000,
  progressIntervalMs: 250,
  // Our own retry loop counts and rate-limits every attempt, so the SDK's retries are off.
  createClient: (connection, timeoutMs) => createOpenAIClient(connection, { maxRetries: 0, timeoutMs }),
};

export interface StartSyncRequest {
  accountId: string;
  trigger: SyncTrigger;
  /** Local id of one mirror to sync; absent = the whole account. */
  vectorStoreId?: string | null;
}

export interface StartedSync {
  run: SyncRunEntity;
  /** True when another run of the account was already going and is returned instead. */
  joined: boolean;
  /** Settles with the finished run. */
  done: Promise<SyncRunEntity>;
}

/** Newest first; the id breaks ties. */
const runSortKey: SortKey = {
  sql: 'run.started_at',
  direction: 'DESC',
  valueOf: (row) => (row as SyncRunEntity).startedAt.toISOString(),
};

/** Progress counters only grow: an event with a smaller one was overtaken by what was already sent. */
const isBehind = (event: SyncProgressEvent, last: SyncProgressEvent): boolean =>
  event.requests < last.requests || event.storesDone < last.storesDone || event.filesDone < last.filesDone;

/** The run as it is now: the live entity keeps changing while the run goes on. */
const copyOf = (run: SyncRunEntity): SyncRunEntity => Object.assign(new SyncRunEntity(), run);

const SHUT_DOWN = 'The server shut down during this sync';

/** A scheduled sync that is not started, and why (the account's key was refused). */
export class SyncHeldError extends Error {
  override name = 'SyncHeldError';
}
const INTERRUPTED = 'Interrupted: the process running this sync stopped before it finished';

/**
 * Syncs accounts' mirrors with OpenAI (SPEC §2 "Sync"). One run per account at a time across every
 * process, enforced by a PostgreSQL advisory lock; a second request gets the running run.
 */
export class SyncService {
  private readonly options: SyncOptions;
  /** Runs this process is executing, by account. */
  private readonly running = new Map<string, { run: SyncRunEntity; done: Promise<SyncRunEntity> }>();
  private readonly abort = new AbortController();
  /** One per account, kept across runs: what a run learnt of OpenAI's limits, the next starts from. */
  private readonly limiters = new Map<string, AdaptiveLimiter>();
  /** Starts under way (lock, row), for shutdown to wait for. */
  private readonly beginning = new Set<Promise<StartedSync>>();

  constructor(
    private readonly db: DataSource,
    private readonly accounts: AccountService,
    readonly bus: SyncProgressBus,
    options: Partial<SyncOptions> = {},
    /** Counts a run's orphan Files at its end, by the Orphans page's rule. */
    private readonly orphans: OrphanService,
    /** Told of each completed run (a usage point); its failures are logged, never the run's. */
    private readonly usage: { history: UsageHistoryService; logger: Logger } | null = null,
  ) {
    this.options = { ...DEFAULT_SYNC_OPTIONS, ...options };
  }

  /** Starts a run and returns it at once (RUNNING), or the account's running run. */
  async startSync(request: StartSyncRequest): Promise<StartedSync> {
    if (this.abort.signal.aborted) throw new Error('The server is shutting down: no sync starts now');
    const starting = this.startOrJoin(request);
    this.beginning.add(starting);
    try {
      return await starting;
    } finally {
      this.beginning.delete(starting);
    }
  }

  private async startOrJoin(request: StartSyncRequest): Promise<StartedSync> {
    const account = await this.db.getRepository(AccountEntity).findOneBy({ id: request.accountId });
    if (!account) throw new NotFoundError('Account', request.accountId);
    if (request.trigger === 'SCHEDULE' && account.openaiKeyRejectedAt !== null) {
      // Every request would be refused again: wait for a new key or for an admin to ask.
      throw new SyncHeldError(
        apiKeyRejectedMessage(account.name, account.openaiKeyRejectionCode ?? 'unknown'),
      );
    }
    const store = request.vectorStoreId ? await this.findMirror(account.id, request.vectorStoreId) : null;

    // The holder of the lock inserts its run right after taking it: look for the run a few times.
    for (let attempt = 0; attempt < 100; attempt++) {
      const local = this.running.get(account.id);
      if (local) return { run: copyOf(local.run), done: local.done, joined: true };
      const lock = await tryLockAccountSync(this.db, account.id);
      if (lock) return this.begin(account, lock, request.trigger, store);
      const other = await this.db
        .getRepository(SyncRunEntity)
        .findOne({ where: { accountId: account.id, status: 'RUNNING' }, order: { startedAt: 'DESC' } });
      if (other) return { run: other, joined: true, done: this.waitForRun(account.id, other.id) };
      await sleep(50);
    }
    throw new Error('Another process holds the sync lock of this account without a running sync');
  }

  /** Starts a run (or joins the running one) and waits for its outcome. */
  async runSync(request: StartSyncRequest): Promise<SyncRunEntity> {
    return (await this.startSync(request)).done;
  }

  private async findMirror(accountId: string, vectorStoreId: string): Promise<VectorStoreEntity> {
    const store = isUuid(vectorStoreId)
      ? await this.db.getRepository(VectorStoreEntity).findOneBy({ accountId, id: vectorStoreId })
      : null;
    if (!store) throw new NotFoundError('VectorStore', vectorStoreId);
    if (store.source !== 'cache' || !store.externalId) {
      throw new ValidationError('vectorStoreId', 'Only mirrors of OpenAI stores (source CACHE) are synced');
    }
    return store;
  }

  private async begin(
    account: AccountEntity,
    lock: HeldLock,
    trigger: SyncTrigger,
    store: VectorStoreEntity | null,
  ): Promise<StartedSync> {
    let run: SyncRunEntity;
    try {
      // Holding the lock proves that any RUNNING run of this account is dead.
      await this.failRunsOf(account.id);
      const full = store !== null || (await this.isFullPassDue(account));
      run = await this.db.getRepository(SyncRunEntity).save({
        accountId: account.id,
        trigger,
        vectorStoreId: store?.id ?? null,
        full,
        status: 'RUNNING',
        phase: 'starting',
        errors: [],
        startedAt: new Date(),
        finishedAt: null,
      });
    } catch (error) {
      await lock.release();
      throw error;
    }
    const done = this.execute(account, run, store)
      .finally(() => lock.release())
      .finally(() => this.running.delete(account.id));
    // Callers may ignore `done` (startSync over GraphQL does); a failure to record the outcome is
    // then not an unhandled rejection. Those who await it still see it.
    done.catch(() => {});
    this.running.set(account.id, { run, done });
    return { run: copyOf(run), joined: false, done };
  }

  /** The first run of an account is full, then every `fullSyncEvery`-th whole-account run. */
  private async isFullPassDue(account: AccountEntity): Promise<boolean> {
    const [{ finished }] = await this.db.query(
      `SELECT count(*)::int AS finished FROM sync_run
        WHERE account_id = $1 AND vector_store_id IS NULL AND status IN ('SUCCEEDED', 'PARTIAL')`,
      [account.id],
    );
    return finished % Math.max(1, account.fullSyncEvery) === 0;
  }

  private async execute(
    account: AccountEntity,
    run: SyncRunEntity,
    store: VectorStoreEntity | null,
  ): Promise<SyncRunEntity> {
    const progress = new RunProgress(run, this.db, this.bus, this.options.progressIntervalMs);
    // A key that does not open (another SECRET_KEY, a swapped row) ends this run FAILED, saying so.
    let connection: OpenAIConnection | null = null;
    let keyError: Error | null = null;
    try {
      connection = this.accounts.openaiConnection(account);
    } catch (error) {
      keyError = error as Error;
    }
    const reader = connection
      ? new RemoteReader(
          this.options.createClient(connection, this.options.requestTimeoutMs),
          this.limiterOf(account.id),
          this.options.retry,
          { requests: 0, retries: 0, throttled: 0 },
          this.abort.signal,
        )
      : null;
    const sync = reader
      ? new AccountSync(reader, new MirrorWriter(this.db, account.id), progress, {
          full: run.full,
          store: store ? { id: store.id, externalId: store.externalId! } : undefined,
          concurrency: this.options.concurrency,
          countOrphans: () => this.orphans.orphanTotals(account.id),
        })
      : null;
    try {
      if (keyError) throw keyError;
      if (!sync) throw new Error('The account has no OpenAI API key');
      await sync.execute();
    } catch (error) {
      run.status = 'FAILED';
      const rejection = asApiKeyRejection(error);
      let message = (error as Error).message;
      if (this.abort.signal.aborted) message = SHUT_DOWN;
      else if (rejection) {
        message = apiKeyRejectedMessage(account.name, rejection.code);
        await this.recordKeyRejection(account.id, rejection.code);
      }
      run.errors = [...run.errors, { vectorStoreExternalId: null, message, at: new Date().toISOString() }];
    }
    if ((run.status === 'SUCCEEDED' || run.status === 'PARTIAL') && account.openaiKeyRejectedAt !== null) {
      // OpenAI answered with this key again (an admin asked for this run): scheduled runs resume.
      await this.recordKeyRejection(account.id, null);
    }
    if (
      this.abort.signal.aborted &&
      run.status !== 'SUCCEEDED' &&
      !run.errors.some((e) => e.message === SHUT_DOWN)
    ) {
      // Aborted requests were recorded as store errors: say why, once, and the run is not a success.
      run.status = 'FAILED';
      run.errors = [
        ...run.errors,
        { vectorStoreExternalId: null, message: SHUT_DOWN, at: new Date().toISOString() },
      ];
    }
    if (reader) copyCounters(reader, run);
    run.phase = 'finished';
    run.finishedAt = new Date();
    await progress.finish();
    await this.recordUsage(run, sync?.orphans ?? null);
    return run;
  }

  /** A completed run adds a point to the account's usage history (issue 17); a failed one does not. */
  private async recordUsage(run: SyncRunEntity, orphans: OrphanTotals | null): Promise<void> {
    if (!this.usage || (run.status !== 'SUCCEEDED' && run.status !== 'PARTIAL')) return;
    try {
      await this.usage.history.recordRun({
        accountId: run.accountId,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt ?? new Date(),
        requests: run.requests,
        orphans,
      });
    } catch (error) {
      this.usage.logger.error(
        { err: error, runId: run.id },
        'Could not record the usage point of a sync run',
      );
    }
  }

  /** Remembers that OpenAI refused the account's key (a code), or forgets it (null). */
  private async recordKeyRejection(accountId: string, code: string | null): Promise<void> {
    await this.db.getRepository(AccountEntity).update(accountId, {
      openaiKeyRejectedAt: code === null ? null : new Date(),
      openaiKeyRejectionCode: code,
    });
  }

  /** The limits each account's limiter allows now, in this process. */
  limits(): Array<{ accountId: string; concurrency: number; requestsPerSecond: number | null }> {
    return [...this.limiters].map(([accountId, limiter]) => ({ accountId, ...limiter.limits }));
  }

  /** The account's OpenAI limiter in this process. */
  limiterOf(accountId: string): AdaptiveLimiter {
    let limiter = this.limiters.get(accountId);
    if (!limiter) {
      const { concurrency, maxRequestsPerSecond } = this.options;
      limiter = new AdaptiveLimiter({
        maxConcurrency: concurrency,
        maxRequestsPerSecond: maxRequestsPerSecond > 0 ? maxRequestsPerSecond : Infinity,
      });
      this.limiters.set(accountId, limiter);
    }
    return limiter;
  }

  /** Marks the RUNNING runs of an account FAILED; only call while holding its sync lock. */
  private async failRunsOf(accountId: string): Promise<number> {
    const result = await this.db.query(
      `UPDATE sync_run SET status = 'FAILED', phase = 'finished', finished_at = now(),
              errors = errors || jsonb_build_array(jsonb_build_object(
                'vectorStoreExternalId', NULL, 'message', $2::text, 'at', to_jsonb(now())))
        WHERE account_id = $1 AND status = 'RUNNING'`,
      [accountId, INTERRUPTED],
    );
    return (result as [unknown, number])[1];
  }

  /**
   * Marks runs left RUNNING by a crashed process as FAILED. A run is dead only if its account's sync
   * lock is free: a run still going in another process holds it, and is left alone.
   */
  async markDeadRuns(): Promise<number> {
    const accounts: Array<{ account_id: string }> = await this.db.query(
      `SELECT DISTINCT account_id FROM sync_run WHERE status = 'RUNNING'`,
    );
    let marked = 0;
    for (const { account_id: accountId } of accounts) {
      if (this.running.has(accountId)) continue;
      const lock = await tryLockAccountSync(this.db, accountId);
      if (!lock) continue;
      try {
        marked += await this.failRunsOf(accountId);
      } finally {
        await lock.release();
      }
    }
    return marked;
  }

  /**
   * Waits for a run started elsewhere: by this process (its own promise, once registered) or by
   * another one (polling the row). On shutdown it settles with the row as it stands.
   */
  private async waitForRun(accountId: string, runId: string): Promise<SyncRunEntity> {
    const repository = this.db.getRepository(SyncRunEntity);
    for (;;) {
      const local = this.running.get(accountId);
      if (local?.run.id === runId) return local.done;
      const run = await repository.findOneByOrFail({ id: runId });
      if (run.status !== 'RUNNING' || this.abort.signal.aborted) return run;
      await sleep(200, undefined, { signal: this.abort.signal }).catch(() => {});
    }
  }

  /** Stops every run of this process (each ends FAILED) and waits for them to write their outcome. */
  async shutdown(): Promise<void> {
    this.abort.abort();
    // A run whose row was being written when the abort came registers itself right after: wait for
    // those first, so that no run is left RUNNING by a process that exits.
    await Promise.allSettled([...this.beginning]);
    await Promise.allSettled([...this.running.values()].map((entry) => entry.done));
  }

  // --- Reading runs ------------------------------------------------------------------------------

  async findRun(accountId: string, id: string): Promise<SyncRunEntity | null> {
    if (!isUuid(id)) return null;
    return this.db.getRepository(SyncRunEntity).findOneBy({ accountId, id });
  }

  async findRunsByIds(accountId: string, ids: readonly string[]): Promise<SyncRunEntity[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db
      .getRepository(SyncRunEntity)
      .createQueryBuilder('run')
      .where('run.account_id = :accountId AND run.id = ANY(:ids)', { accountId, ids: valid })
      .getMany();
  }

  async listRuns(accountId: string, page: PageRequest): Promise<SyncRunEntity[]> {
    const qb = this.db
      .getRepository(SyncRunEntity)
      .createQueryBuilder('run')
      .where('run.account_id = :accountId', { accountId });
    return applyKeyset(qb, 'run.id', runSortKey, page).getMany();
  }

  runCursor(run: SyncRunEntity): string {
    return encodeCursor(runSortKey, run);
  }

  async countRuns(accountId: string): Promise<number> {
    return this.db.getRepository(SyncRunEntity).countBy({ accountId });
  }

  /**
   * Progress events of an account's runs, or of one run. For one run, the first event is its current
   * state read from its row (so a late or reconnecting subscriber starts from the truth), and the
   * iteration ends after its final event, which is delivered exactly once.
   */
  async *progress(
    accountId: string,
    runId?: string | null,
    /** Ends the stream early (its token was revoked, or its client left). */
    signal?: AbortSignal,
  ): AsyncGenerator<SyncProgressEvent> {
    const events = endOnAbort(this.bus.subscribe(accountId), signal);
    try {
      if (!runId) {
        yield* events;
        return;
      }
      const run = await this.findRun(accountId, runId);
      if (!run) return;
      let last = progressEvent(run, 0);
      yield last;
      if (last.final) return;
      for await (const event of events) {
        // Events published between subscribing and reading the row may be older than the row.
        if (event.runId !== runId || (!event.final && isBehind(event, last))) continue;
        last = event;
        yield event;
        if (event.final) return;
      }
      // The bus ended the stream (this process shuts down): close with the run as stored now.
      const stored = await this.findRun(accountId, runId);
      if (stored) yield progressEvent(stored, last.sequence);
    } finally {
      await events.return?.();
    }
  }
}
