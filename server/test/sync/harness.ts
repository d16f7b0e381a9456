import OpenAI from 'openai';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import type { SyncProgressBus } from '../../src/events/sync-progress.ts';
import { createServices, type ServiceOptions, type Services } from '../../src/services/index.ts';
import type { SyncOptions } from '../../src/services/sync/sync.service.ts';
import { createAccount, testSecrets } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createApp, type App } from '../../src/app.ts';

/** Fast retries for tests: the emulator's faults are random, waiting long proves nothing. */
export const FAST_SYNC: Partial<SyncOptions> = {
  concurrency: 4,
  maxRequestsPerSecond: 0,
  retry: { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 60_000 },
  // Generous: a loaded CI machine must not turn slow answers into failures.
  requestTimeoutMs: 30_000,
  progressIntervalMs: 20,
};

export interface SyncHarness {
  database: TestDatabase;
  db: DataSource;
  emulator: RunningEmulator;
  services: Services;
  accountId: string;
  apiKey: string;
  /** The SDK on the emulator with the account's key: how tests change "OpenAI". */
  openai: OpenAI;
  close(): Promise<void>;
}

let keys = 0;

/** A database of its own, an emulator on a free port, and an account connected to it. */
export async function createSyncHarness(
  options: Partial<SyncOptions> = {},
  /** The progress bus of the services (a test may watch who subscribes); in-process by default. */
  syncProgress?: SyncProgressBus,
  /** More options of the services (a logger a test reads). */
  serviceOptions: Omit<ServiceOptions, 'sync' | 'syncProgress'> = {},
): Promise<SyncHarness> {
  const database = await createTestDatabase();
  const emulator = await startEmulator({ port: 0, attachDelayMs: 1 });
  const apiKey = `sk-sync-test-${process.pid}-${++keys}`;
  const services = createServices(database.dataSource, testSecrets, {
    ...serviceOptions,
    sync: { ...FAST_SYNC, ...options },
    ...(syncProgress ? { syncProgress } : {}),
  });
  const account = await createAccount(database.dataSource);
  await services.accounts.setOpenAIConnection(account.id, { apiKey, baseURL: emulator.url, project: null });
  const openai = new OpenAI({ apiKey, baseURL: emulator.url, maxRetries: 5 });
  return {
    database,
    db: database.dataSource,
    emulator,
    services,
    accountId: account.id,
    apiKey,
    openai,
    close: async () => {
      await services.sync.shutdown();
      await emulator.close();
      await database.drop();
    },
  };
}

export function createHarnessApp(harness: SyncHarness): App {
  return createApp({ services: harness.services, logger: pino({ level: 'silent' }) });
}

/** Everything a mirror must equal (SPEC §2 rule 4), in a canonical form. */
export interface AccountState {
  stores: Record<string, unknown>[];
  links: Record<string, unknown>[];
  files: Record<string, unknown>[];
}

const iso = (seconds: number | null | undefined) =>
  seconds == null ? null : new Date(seconds * 1000).toISOString();
const byKey = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) =>
  String(a[key]).localeCompare(String(b[key]));

/** OpenAI's side, read with the plain SDK (auto-pagination). */
export async function remoteState(openai: OpenAI): Promise<AccountState> {
  await new Promise((resolve) => setTimeout(resolve, 5)); // let pending attachments settle first
  const stores: Record<string, unknown>[] = [];
  const links: Record<string, unknown>[] = [];
  for await (const store of openai.vectorStores.list({ limit: 100 })) {
    stores.push({
      externalId: store.id,
      name: store.name,
      status: store.status,
      expirationDays: store.expires_after?.days ?? null,
      expiresAt: iso(store.expires_at),
      lastActiveAt: iso(store.last_active_at),
      usageBytes: store.usage_bytes,
      fileCounts: [
        store.file_counts.in_progress,
        store.file_counts.completed,
        store.file_counts.failed,
        store.file_counts.cancelled,
        store.file_counts.total,
      ],
      metadata: store.metadata ?? {},
      createdAt: iso(store.created_at),
    });
    for await (const link of openai.vectorStores.files.list(store.id, { limit: 100 })) {
      links.push({
        key: `${store.id}/${link.id}`,
        status: link.status,
        usageBytes: link.usage_bytes,
        lastError: link.last_error ?? null,
        attributes: link.attributes ?? null,
        chunkingStrategy: link.chunking_strategy ?? null,
        createdAt: iso(link.created_at),
      });
    }
  }
  const files: Record<string, unknown>[] = [];
  for await (const file of openai.files.list({ limit: 10_000 })) {
    files.push({
      externalId: file.id,
      filename: file.filename,
      bytes: file.bytes,
      purpose: file.purpose,
      createdAt: iso(file.created_at),
    });
  }
  return {
    stores: stores.sort(byKey('externalId')),
    links: links.sort(byKey('key')),
    files: files.sort(byKey('externalId')),
  };
}

/** The mirror's side: only `cache` rows of the account, in the same shape. */
export async function mirrorState(db: DataSource, accountId: string): Promise<AccountState> {
  const stores = await db.query(
    `SELECT external_id, name, status, expiration_days, expires_at, last_active_at, usage_bytes::float8 AS usage_bytes,
            ARRAY[file_count_in_progress, file_count_completed, file_count_failed, file_count_cancelled,
                  file_count_total] AS counts, metadata, created_at
       FROM vector_store WHERE account_id = $1 AND source = 'cache' AND backend = 'openai'`,
    [accountId],
  );
  const links = await db.query(
    `SELECT vs.external_id || '/' || f.external_id AS key, l.status, l.usage_bytes::float8 AS usage_bytes,
            l.last_error, l.attributes, l.chunking_strategy, l.created_at
       FROM vector_store_file l JOIN vector_store vs ON vs.id = l.vector_store_id JOIN file f ON f.id = l.file_id
      WHERE vs.account_id = $1 AND vs.source = 'cache'`,
    [accountId],
  );
  const files = await db.query(
    `SELECT external_id, filename, bytes::float8 AS bytes, purpose, file_created_at
       FROM file WHERE account_id = $1 AND source = 'cache'`,
    [accountId],
  );
  const date = (value: Date | null) => (value ? value.toISOString() : null);
  return {
    stores: stores
      .map((s: Record<string, any>) => ({
        externalId: s.external_id,
        name: s.name,
        status: s.status,
        expirationDays: s.expiration_days,
        expiresAt: date(s.expires_at),
        lastActiveAt: date(s.last_active_at),
        usageBytes: s.usage_bytes,
        fileCounts: s.counts,
        metadata: s.metadata,
        createdAt: date(s.created_at),
      }))
      .sort(byKey('externalId')),
    links: links
      .map((l: Record<string, any>) => ({
        key: l.key,
        status: l.status,
        usageBytes: l.usage_bytes,
        lastError: l.last_error,
        attributes: l.attributes,
        chunkingStrategy: l.chunking_strategy,
        createdAt: date(l.created_at),
      }))
      .sort(byKey('key')),
    files: files
      .map((f: Record<string, any>) => ({
        externalId: f.external_id,
        filename: f.filename,
        bytes: f.bytes,
        purpose: f.purpose,
        createdAt: date(f.file_created_at),
      }))
      .sort(byKey('externalId')),
  };
}

/** Every primary row, byte for byte (as PostgreSQL prints it), to prove a sync never touched one. */
export async function primaryRows(db: DataSource): Promise<string> {
  const [{ rows }] = await db.query(
    `SELECT jsonb_build_object(
       'stores', (SELECT coalesce(jsonb_agg(vs::text ORDER BY vs.id), '[]') FROM vector_store vs WHERE vs.source = 'primary'),
       'files', (SELECT coalesce(jsonb_agg(f::text ORDER BY f.id), '[]') FROM file f WHERE f.source = 'primary'),
       'links', (SELECT coalesce(jsonb_agg(l::text ORDER BY l.vector_store_id, l.file_id), '[]')
                   FROM vector_store_file l JOIN vector_store vs ON vs.id = l.vector_store_id
                  WHERE vs.source = 'primary'),
       'versions', (SELECT coalesce(jsonb_agg(vs.xmin::text ORDER BY vs.id), '[]') FROM vector_store vs WHERE vs.source = 'primary')
     )::text AS rows`,
  );
  return rows;
}
