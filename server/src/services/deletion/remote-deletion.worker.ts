import type OpenAI from 'openai';
import type { DataSource } from 'typeorm';
import type { RemoteDeletionEntity } from '../../db/entities/remote-deletion.entity.ts';
import { asMirrorWriter } from '../../db/mirror-writer.ts';
import type { Logger } from '../../logger.ts';
import { createOpenAIClient } from '../../openai/client.ts';
import type { AccountService } from '../account.service.ts';
import type { AdaptiveLimiter } from '../sync/adaptive-limiter.ts';
import { fileIdsOf, filesUsedElsewhere, ignoreNotFound } from './remote-cascade.ts';

export interface RemoteDeletionWorkerOptions {
  pollMs?: number;
  /**
   * How long a claimed item is held; renewed every third of it while the item is worked on, so a
   * crashed worker's items are taken again soon after it died, and a slow one's never.
   */
  leaseMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  batchSize?: number;
  /** SDK retries per call, before the queue's own backoff takes over. */
  sdkMaxRetries?: number;
  /** The account's OpenAI limiter, shared with its syncs in this process. */
  limiterOf?: (accountId: string) => AdaptiveLimiter;
}

type Item = Pick<
  RemoteDeletionEntity,
  'id' | 'accountId' | 'kind' | 'externalId' | 'vectorStoreId' | 'plannedFileIds' | 'attempts'
>;

/** Exponential backoff with full jitter, capped. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/**
 * Works the durable deletion queue: claims due items with `FOR UPDATE SKIP LOCKED` (so several
 * processes never take the same item), does the OpenAI work idempotently (404 = done), then removes
 * the mirror rows and the item in one transaction. A failure is recorded and retried with backoff.
 */
export class RemoteDeletionWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wakeAgain = false;
  private stopping = false;
  /** Aborts the OpenAI calls of items in flight when a stop's grace period is over. */
  private readonly abort = new AbortController();
  private readonly options: Required<Omit<RemoteDeletionWorkerOptions, 'limiterOf'>> &
    Pick<RemoteDeletionWorkerOptions, 'limiterOf'>;

  constructor(
    private readonly db: DataSource,
    private readonly accounts: AccountService,
    private readonly logger: Logger,
    options: RemoteDeletionWorkerOptions = {},
  ) {
    this.options = {
      pollMs: 2_000,
      leaseMs: 60_000,
      backoffBaseMs: 1_000,
      backoffMaxMs: 5 * 60_000,
      batchSize: 4,
      sdkMaxRetries: 2,
      ...options,
    };
  }

  start(): void {
    this.stopping = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.wake();
  }

  /**
   * Stops claiming work. Items in flight may finish within `graceMs`; past it their OpenAI calls are
   * aborted and they are handed back (lease cleared, attempt not counted) for another process.
   */
  async stop(graceMs = Infinity): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const running = this.running;
    if (!running) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'late'>((resolve) => {
      if (Number.isFinite(graceMs)) timer = setTimeout(() => resolve('late'), graceMs);
    });
    const outcome = await Promise.race([running.then(() => 'done' as const), graceOver]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.abort.abort();
      await running;
    }
  }

  /** Runs a pass now (or right after the current one). */
  wake(): void {
    if (this.stopping) return;
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((error) => this.logger.error({ err: error }, 'Deletion queue pass failed'))
      .finally(() => {
        this.running = null;
        if (this.wakeAgain && this.timer) {
          this.wakeAgain = false;
          this.wake();
        }
      });
  }

  /** Processes due items until none is left; returns how many were attempted. */
  async drain(): Promise<number> {
    let attempted = 0;
    while (!this.stopping) {
      const items = await this.claim();
      if (items.length === 0) return attempted;
      attempted += items.length;
      await Promise.all(items.map((item) => this.process(item)));
    }
    return attempted;
  }

  private async claim(): Promise<Item[]> {
    const [rows] = await this.db.query(
      `UPDATE remote_deletion
          SET lease_until = now() + $2 * interval '1 millisecond', attempts = attempts + 1
        WHERE id IN (SELECT id FROM remote_deletion
                      WHERE next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                      ORDER BY next_attempt_at LIMIT $1
                      FOR UPDATE SKIP LOCKED)
        RETURNING id, account_id, kind, external_id, vector_store_id, planned_file_ids, attempts`,
      [this.options.batchSize, this.options.leaseMs],
    );
    return (rows as Array<Record<string, unknown>>).map((r) => ({
      id: r.id as string,
      accountId: r.account_id as string,
      kind: r.kind as Item['kind'],
      externalId: r.external_id as string,
      vectorStoreId: r.vector_store_id as string | null,
      plannedFileIds: r.planned_file_ids as string[],
      attempts: r.attempts as number,
    }));
  }

  private async process(item: Item): Promise<void> {
    const renew = setInterval(() => {
      this.db
        .query(
          `UPDATE remote_deletion SET lease_until = now() + $2 * interval '1 millisecond'
            WHERE id = $1 AND lease_until IS NOT NULL`,
          [item.id, this.options.leaseMs],
        )
        .catch((error) => this.logger.warn({ err: error, item: item.id }, 'Cannot renew a queue lease'));
    }, this.options.leaseMs / 3);
    renew.unref();
    try {
      const client = await this.clientFor(item.accountId);
      if (item.kind === 'VECTOR_STORE') await this.deleteStore(client, item);
      else await this.deleteFile(client, item);
      this.logger.info(
        { item: item.id, kind: item.kind, externalId: item.externalId },
        'Remote deletion done',
      );
    } catch (error) {
      if (this.abort.signal.aborted) {
        // Shutting down: hand the item back at once, as if it had never been claimed.
        clearInterval(renew);
        await this.db.query(
          `UPDATE remote_deletion SET lease_until = NULL, attempts = greatest(attempts - 1, 0) WHERE id = $1`,
          [item.id],
        );
        this.logger.info({ item: item.id }, 'Remote deletion handed back on shutdown');
        return;
      }
      const message = (error as Error).message.slice(0, 500);
      const delay = backoffMs(item.attempts, this.options.backoffBaseMs, this.options.backoffMaxMs);
      await this.db.query(
        `UPDATE remote_deletion SET lease_until = NULL, last_error = $2, updated_at = now(),
                next_attempt_at = now() + $3 * interval '1 millisecond' WHERE id = $1`,
        [item.id, message, delay],
      );
      this.logger.warn(
        { item: item.id, attempts: item.attempts, error: message },
        'Remote deletion will be retried',
      );
    } finally {
      clearInterval(renew);
    }
  }

  private async clientFor(accountId: string): Promise<OpenAI> {
    const account = await this.accounts.findAccount(accountId);
    const connection = account ? this.accounts.openaiConnection(account) : null;
    if (!connection) throw new Error('The account has no OpenAI connection');
    return createOpenAIClient(connection, {
      maxRetries: this.options.sdkMaxRetries,
      timeoutMs: 30_000,
      signal: this.abort.signal,
      limiter: this.options.limiterOf?.(accountId),
    });
  }

  /** Detach, then delete, each File no other live store uses; then the store; then the mirror rows. */
  private async deleteStore(client: OpenAI, item: Item): Promise<void> {
    const listed = (await ignoreNotFound(fileIdsOf(client, item.externalId))) ?? [];
    const used = await filesUsedElsewhere(this.db, client, item.accountId, item.externalId);
    const planned = [...new Set([...item.plannedFileIds, ...listed])].filter((id) => !used.has(id));
    await this.db.query(`UPDATE remote_deletion SET planned_file_ids = $2 WHERE id = $1`, [
      item.id,
      JSON.stringify(planned),
    ]);
    await inBatches(planned, 8, async (fileId) => {
      await ignoreNotFound(client.vectorStores.files.delete(fileId, { vector_store_id: item.externalId }));
      await ignoreNotFound(client.files.delete(fileId));
    });
    await ignoreNotFound(client.vectorStores.delete(item.externalId));
    await asMirrorWriter(this.db, 'deletion', async (manager) => {
      await manager.query(`DELETE FROM vector_store WHERE account_id = $1 AND external_id = $2`, [
        item.accountId,
        item.externalId,
      ]);
      await manager.query(`DELETE FROM file WHERE account_id = $1 AND external_id = ANY($2)`, [
        item.accountId,
        planned,
      ]);
      await manager.query(`DELETE FROM remote_deletion WHERE id = $1`, [item.id]);
    });
  }

  private async deleteFile(client: OpenAI, item: Item): Promise<void> {
    await ignoreNotFound(client.files.delete(item.externalId));
    await this.db.transaction(async (manager) => {
      await manager.query(`DELETE FROM file WHERE account_id = $1 AND external_id = $2`, [
        item.accountId,
        item.externalId,
      ]);
      await manager.query(`DELETE FROM remote_deletion WHERE id = $1`, [item.id]);
    });
  }
}
