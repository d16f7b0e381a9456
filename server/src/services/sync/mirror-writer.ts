import type { DataSource } from 'typeorm';
import { asMirrorWriter } from '../../db/mirror-writer.ts';
import { PreparedStatements } from '../../db/prepared-statements.ts';
import { policyFromOpenAI, policyToColumn } from '../../domain/expiration.ts';
import { ValidationError } from '../errors.ts';
import type { ListingLedger } from './listing-ledger.ts';
import type { RemoteFile, RemoteVectorStore, RemoteVectorStoreFile } from './remote-reader.ts';

/** What sync needs to know of a local row before writing a page of remote stores. */
export interface LocalStore {
  id: string;
  externalId: string;
  source: 'primary' | 'cache';
  status: string;
  /** Everything sync mirrors, as one comparable string (see `storeFields`). */
  fields: string;
  filesListedSummary: string | null;
}

const seconds = (value: number | null | undefined): string | null =>
  value == null ? null : new Date(value * 1000).toISOString();
const millis = (value: Date | string | null): number | null =>
  value == null ? null : new Date(value).getTime();

/**
 * The one order in which sync's statements write File rows (`ensureFiles`, `upsertFiles`): a
 * statement inserting a row another has just inserted waits for that one to commit, so two that take
 * the same Files in different orders can each wait for the other, and PostgreSQL ends one of them
 * ("deadlock detected": the Files listing or a store's page failed). The Files listing and the store
 * pages write the same Files concurrently on a first sync; in one order they cannot deadlock.
 */
const byFileId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The part of a store's remote state that changes when its files change (SPEC §2 "Incremental"). */
export function remoteSummary(store: RemoteVectorStore): string {
  const c = store.file_counts;
  return [
    store.status,
    c.in_progress,
    c.completed,
    c.failed,
    c.cancelled,
    c.total,
    store.usage_bytes,
    store.last_active_at,
  ].join('|');
}

/**
 * The mirror's policy of a store, through the vocabulary's one validator. A policy it cannot hold is
 * not mirrored (null) and the reason is kept on the store, so reading the row never meets bad days.
 */
function mirroredExpiration(store: RemoteVectorStore): {
  expiration_days: number | null;
  sync_error: string | null;
} {
  try {
    return { expiration_days: policyToColumn(policyFromOpenAI(store.expires_after)), sync_error: null };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return {
      expiration_days: null,
      sync_error: `OpenAI reports expires_after ${JSON.stringify(store.expires_after)}, which is not mirrored: ${error.message}.`,
    };
  }
}

/** A store as its mirror row holds it, in a shape both sides can be compared in. */
function storeRow(store: RemoteVectorStore) {
  return {
    external_id: store.id,
    // Null: a store created without a name (OpenAI answers `"name": null`).
    name: store.name === null ? null : store.name.slice(0, 256),
    description: store.description ?? null,
    status: store.status,
    ...mirroredExpiration(store),
    expires_at: seconds(store.expires_at),
    last_active_at: seconds(store.last_active_at),
    usage_bytes: store.usage_bytes,
    in_progress: store.file_counts.in_progress,
    completed: store.file_counts.completed,
    failed: store.file_counts.failed,
    cancelled: store.file_counts.cancelled,
    total: store.file_counts.total,
    metadata: store.metadata ?? {},
    created_at: seconds(store.created_at),
  };
}

type StoreRow = ReturnType<typeof storeRow>;

const sortedEntries = (record: Record<string, unknown>) =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b));

function storeFields(row: Omit<StoreRow, 'external_id'>): string {
  return JSON.stringify([
    row.name,
    row.description,
    row.status,
    row.expiration_days,
    row.sync_error,
    millis(row.expires_at),
    millis(row.last_active_at),
    Number(row.usage_bytes),
    row.in_progress,
    row.completed,
    row.failed,
    row.cancelled,
    row.total,
    sortedEntries(row.metadata),
    millis(row.created_at),
  ]);
}

export function remoteStoreFields(store: RemoteVectorStore): string {
  return storeFields(storeRow(store));
}

/**
 * Every write sync makes to the mirror, as one multi-row statement per page (rows travel as one
 * JSON parameter expanded by `jsonb_to_recordset`). Every statement is scoped to one account and to
 * `source = 'cache'` rows: a primary row is never created, changed or deleted here (SPEC §2 rule 2),
 * and a store being deleted (`status = 'deleting'`) is left to the deletion queue.
 */
export class MirrorWriter {
  /**
   * The statements a sync repeats for every page (find and write stores, ensure Files, write links,
   * write Files) are prepared: PostgreSQL parses and plans each text once per connection instead of
   * once per page, which on a full sync is hundreds of plans of these large statements.
   */
  private readonly statements: PreparedStatements;

  constructor(
    readonly db: DataSource,
    private readonly accountId: string,
  ) {
    this.statements = new PreparedStatements(db);
  }

  /** The local rows of these remote stores (of any source and status: the caller decides). */
  async findStores(externalIds: string[]): Promise<Map<string, LocalStore>> {
    const rows: Array<Record<string, unknown> & { id: string; external_id: string }> =
      await this.statements.rows(
        `SELECT id, external_id, source, status, name, description, expiration_days, sync_error, expires_at, last_active_at,
              usage_bytes, file_count_in_progress AS in_progress, file_count_completed AS completed,
              file_count_failed AS failed, file_count_cancelled AS cancelled, file_count_total AS total,
              metadata, created_at, files_listed_summary
         FROM vector_store WHERE account_id = $1 AND external_id IS NOT NULL AND external_id = ANY($2::text[])`,
        [this.accountId, externalIds],
      );
    return new Map(
      rows.map((row) => [
        row.external_id,
        {
          id: row.id,
          externalId: row.external_id,
          source: row.source as LocalStore['source'],
          status: row.status as string,
          fields: storeFields(row as unknown as StoreRow),
          filesListedSummary: row.files_listed_summary as string | null,
        },
      ]),
    );
  }

  /** Inserts or refreshes mirrors; returns the local id of each store written. */
  async upsertStores(stores: RemoteVectorStore[], syncedAt: Date): Promise<Map<string, string>> {
    if (stores.length === 0) return new Map();
    // The trigger of migration MirrorRowsGuard admits mirror writes only from a declared transaction.
    const rows: Array<{ id: string; external_id: string }> = await asMirrorWriter(
      this.db,
      'sync',
      (manager) =>
        manager.query(
          `INSERT INTO vector_store AS vs (account_id, backend, source, external_id, name, description, status,
              expiration_days, sync_error, expires_at, last_active_at, usage_bytes, file_count_in_progress,
              file_count_completed, file_count_failed, file_count_cancelled, file_count_total, metadata,
              synced_at, created_at, updated_at)
       SELECT $1, 'openai', 'cache', x.external_id, x.name, x.description, x.status, x.expiration_days,
              x.sync_error, x.expires_at, x.last_active_at, x.usage_bytes, x.in_progress, x.completed, x.failed, x.cancelled,
              x.total, x.metadata, $3, x.created_at, $3
         FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, name text, description text, status text,
              expiration_days int, sync_error text, expires_at timestamptz, last_active_at timestamptz, usage_bytes bigint,
              in_progress int, completed int, failed int, cancelled int, total int, metadata jsonb,
              created_at timestamptz)
       ON CONFLICT (account_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
              name = excluded.name, description = excluded.description, status = excluded.status,
              expiration_days = excluded.expiration_days, sync_error = excluded.sync_error,
              expires_at = excluded.expires_at,
              last_active_at = excluded.last_active_at, usage_bytes = excluded.usage_bytes,
              file_count_in_progress = excluded.file_count_in_progress,
              file_count_completed = excluded.file_count_completed,
              file_count_failed = excluded.file_count_failed,
              file_count_cancelled = excluded.file_count_cancelled,
              file_count_total = excluded.file_count_total, metadata = excluded.metadata,
              created_at = excluded.created_at, synced_at = excluded.synced_at,
              updated_at = CASE
                WHEN (vs.name, vs.description, vs.status, vs.expiration_days, vs.sync_error, vs.expires_at,
                      vs.last_active_at,
                      vs.usage_bytes, vs.file_count_in_progress, vs.file_count_completed, vs.file_count_failed,
                      vs.file_count_cancelled, vs.file_count_total, vs.metadata)
                  IS DISTINCT FROM
                     (excluded.name, excluded.description, excluded.status, excluded.expiration_days,
                      excluded.sync_error, excluded.expires_at, excluded.last_active_at, excluded.usage_bytes,
                      excluded.file_count_in_progress, excluded.file_count_completed, excluded.file_count_failed,
                      excluded.file_count_cancelled, excluded.file_count_total, excluded.metadata)
                THEN excluded.updated_at ELSE vs.updated_at END
        WHERE vs.source = 'cache' AND vs.status <> 'deleting'
       RETURNING vs.id, vs.external_id`,
          [this.accountId, JSON.stringify(stores.map(storeRow)), syncedAt],
        ),
    );
    return new Map(rows.map((row) => [row.external_id, row.id]));
  }

  /**
   * Makes sure a File row exists for each attached file, so links can point at it. A File first seen
   * through a store gets a placeholder (no `synced_at`) that the Files listing fills in, or removes
   * when it proves the File gone. This is its own statement: the link upsert that follows then sees
   * rows inserted concurrently by other stores' pages, which a single statement's snapshot would not.
   */
  async ensureFiles(files: RemoteVectorStoreFile[]): Promise<void> {
    if (files.length === 0) return;
    await this.statements.rows(
      `INSERT INTO file (account_id, source, external_id, filename, bytes, purpose, file_created_at)
       SELECT $1, 'cache', x.external_id, '', 0, 'assistants', to_timestamp(x.created_at)
         FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, created_at float8)
       ON CONFLICT (account_id, external_id) WHERE external_id IS NOT NULL DO NOTHING`,
      [
        this.accountId,
        JSON.stringify(
          [...new Map(files.map((f) => [f.id, { external_id: f.id, created_at: f.created_at }])).values()]
            // In the order every File write takes its rows (see `byFileId`).
            .sort((a, b) => byFileId(a.external_id, b.external_id)),
        ),
      ],
    );
  }

  /**
   * One statement for a batch of store-file pages of any number of stores: inserts or refreshes their
   * links and, for stores whose listing is now complete, removes the links it did not contain and
   * records the summary it answered for (so an unchanged store is not listed again; null when some of
   * its files could not be read, so it is listed again). The removals and
   * the upserts touch disjoint rows (not listed / listed), so they can share a statement. Returns, per
   * store, the links created, changed (unchanged rows are not written) and removed.
   */
  async writeLinks(
    links: Array<{ vectorStoreId: string; file: RemoteVectorStoreFile }>,
    complete: Array<{ vectorStoreId: string; listed: string[]; summary: string | null }>,
  ): Promise<Map<string, { created: number; updated: number; removed: number }>> {
    if (links.length === 0 && complete.length === 0) return new Map();
    // As JSON text at once: the row objects are garbage before the write, not held across it.
    const rows = JSON.stringify(
      links.map(({ vectorStoreId, file: f }) => ({
        vector_store_id: vectorStoreId,
        file_external_id: f.id,
        status: f.status,
        // A batch's listing has left it out at times; the store's own listing always carries it.
        usage_bytes: f.usage_bytes ?? 0,
        last_error: f.last_error ?? null,
        attributes: f.attributes ?? null,
        chunking_strategy: f.chunking_strategy ?? null,
        created_at: seconds(f.created_at),
      })),
    );
    const done = JSON.stringify(
      complete.map((store) => ({
        vector_store_id: store.vectorStoreId,
        listed: Object.fromEntries(store.listed.map((id) => [id, 1])),
        summary: store.summary,
      })),
    );
    const counts: Array<{ vector_store_id: string; created: number; updated: number; removed: number }> =
      await this.statements.rows(
        `WITH written AS (
           INSERT INTO vector_store_file AS l (vector_store_id, file_id, status, usage_bytes, last_error,
                  attributes, chunking_strategy, created_at, updated_at)
           SELECT x.vector_store_id, f.id, x.status, x.usage_bytes, x.last_error, x.attributes,
                  x.chunking_strategy, x.created_at, now()
             FROM jsonb_to_recordset($2::jsonb) AS x(vector_store_id uuid, file_external_id text, status text,
                  usage_bytes bigint, last_error jsonb, attributes jsonb, chunking_strategy jsonb,
                  created_at timestamptz)
             -- One probe of the unique (account_id, external_id) index per row, even while statistics
             -- are missing (a first sync), where a join would scan the account. LIMIT keeps it a probe:
             -- without it the planner flattens the subquery back into that join.
             CROSS JOIN LATERAL (SELECT id FROM file WHERE account_id = $1 AND external_id IS NOT NULL
                                   AND external_id = x.file_external_id LIMIT 1) f
           ON CONFLICT (vector_store_id, file_id) DO UPDATE SET
                  status = excluded.status, usage_bytes = excluded.usage_bytes, last_error = excluded.last_error,
                  attributes = excluded.attributes, chunking_strategy = excluded.chunking_strategy,
                  created_at = excluded.created_at, updated_at = excluded.updated_at
            WHERE (l.status, l.usage_bytes, l.last_error, l.attributes, l.chunking_strategy, l.created_at)
                  IS DISTINCT FROM (excluded.status, excluded.usage_bytes, excluded.last_error,
                                    excluded.attributes, excluded.chunking_strategy, excluded.created_at)
           RETURNING l.vector_store_id, (xmax = 0) AS created
         ), done AS (
           SELECT * FROM jsonb_to_recordset($3::jsonb) AS d(vector_store_id uuid, listed jsonb, summary text)
         ), gone AS (
           DELETE FROM vector_store_file l USING done d, file f
            WHERE l.vector_store_id = ANY($4::uuid[]) -- an index scan, whatever the statistics say
              AND l.vector_store_id = d.vector_store_id AND f.id = l.file_id AND NOT (d.listed ? f.external_id)
           RETURNING l.vector_store_id
         ), mark AS (
           UPDATE vector_store vs SET files_listed_summary = d.summary,
                  files_listed_count = (SELECT count(*) FROM jsonb_object_keys(d.listed))
             FROM done d WHERE vs.id = d.vector_store_id AND vs.source = 'cache'
         )
         SELECT vector_store_id, sum(created)::int AS created, sum(updated)::int AS updated,
                sum(removed)::int AS removed
           FROM (SELECT vector_store_id, created::int AS created, (NOT created)::int AS updated, 0 AS removed
                   FROM written
                 UNION ALL
                 SELECT vector_store_id, 0, 0, 1 FROM gone) AS changes
          GROUP BY vector_store_id`,
        [this.accountId, rows, done, complete.map((store) => store.vectorStoreId)],
      );
    return new Map(counts.map(({ vector_store_id: id, ...count }) => [id, count]));
  }

  /** Removes mirrors whose store a complete listing did not contain; returns stores and links removed. */
  async removeStoresNotIn(listed: ListingLedger): Promise<{ stores: number; links: number }> {
    const [counts] = await asMirrorWriter(this.db, 'sync', (manager) =>
      manager.query(
        `WITH doomed AS (
         SELECT id FROM vector_store vs
          WHERE vs.account_id = $1 AND vs.source = 'cache' AND vs.status <> 'deleting'
            AND NOT EXISTS (SELECT 1 FROM sync_listed_id l
                             WHERE l.run_id = $2 AND l.kind = 's' AND l.external_id = vs.external_id)
       ), links AS (
         SELECT count(*)::int AS n FROM vector_store_file WHERE vector_store_id IN (SELECT id FROM doomed)
       ), gone AS (
         DELETE FROM vector_store WHERE id IN (SELECT id FROM doomed) RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM gone) AS stores, (SELECT n FROM links) AS links`,
        [this.accountId, listed.runId],
      ),
    );
    return counts;
  }

  /** Removes one mirror that OpenAI answered 404 for (single-store sync). */
  async removeStore(vectorStoreId: string): Promise<{ stores: number; links: number }> {
    const [counts] = await asMirrorWriter(this.db, 'sync', (manager) =>
      manager.query(
        `WITH links AS (SELECT count(*)::int AS n FROM vector_store_file WHERE vector_store_id = $2),
            gone AS (DELETE FROM vector_store WHERE id = $2 AND account_id = $1 AND source = 'cache'
                       AND status <> 'deleting' RETURNING 1)
       SELECT (SELECT count(*)::int FROM gone) AS stores,
              CASE WHEN EXISTS (SELECT 1 FROM gone) THEN (SELECT n FROM links) ELSE 0 END AS links`,
        [this.accountId, vectorStoreId],
      ),
    );
    return counts;
  }

  /** Inserts or refreshes File metadata (and fills in placeholders). */
  async upsertFiles(files: RemoteFile[], syncedAt: Date): Promise<void> {
    if (files.length === 0) return;
    await this.statements.rows(
      `INSERT INTO file AS f (account_id, source, external_id, filename, bytes, purpose, file_created_at, synced_at)
       SELECT $1, 'cache', x.external_id, left(x.filename, 1024), x.bytes, left(x.purpose, 32),
              to_timestamp(x.created_at), $3
         FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, filename text, bytes bigint, purpose text,
              created_at float8)
       ON CONFLICT (account_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
              filename = excluded.filename, bytes = excluded.bytes, purpose = excluded.purpose,
              file_created_at = excluded.file_created_at, synced_at = excluded.synced_at, updated_at = now()
        WHERE f.source = 'cache'
          AND (f.synced_at IS NULL
               OR (f.filename, f.bytes, f.purpose, f.file_created_at)
                  IS DISTINCT FROM (excluded.filename, excluded.bytes, excluded.purpose, excluded.file_created_at))`,
      [
        this.accountId,
        // Built inline, so no array of rows outlives its JSON text across the write; in the order every
        // File write takes its rows (see `byFileId`). Times go as OpenAI's epoch seconds (to_timestamp
        // in SQL): a Date and an ISO string per File would be garbage a million times over.
        JSON.stringify(
          files
            .toSorted((a, b) => byFileId(a.id, b.id))
            .map((f) => ({
              external_id: f.id,
              filename: f.filename,
              bytes: f.bytes,
              purpose: f.purpose,
              created_at: f.created_at,
            })),
        ),
        syncedAt,
      ],
    );
  }

  /** The database's clock: what `created_at` defaults compare against. */
  async now(): Promise<Date> {
    const [{ now }] = await this.db.query(`SELECT clock_timestamp() AS now`);
    return now;
  }

  /**
   * After a complete Files listing that started at `listingStartedAt`: removes the mirrored Files it did
   * not contain. Rows created since it started (placeholders for files attached meanwhile) are kept for
   * the next listing to judge, and a File still linked to a local store is never touched.
   */
  async removeFilesNotIn(listed: ListingLedger, listingStartedAt: Date): Promise<number> {
    const [{ removed }] = await this.db.query(
      `WITH gone AS (
         DELETE FROM file f
          WHERE f.account_id = $1 AND f.source = 'cache' AND f.created_at < $3
            AND NOT EXISTS (SELECT 1 FROM sync_listed_id s
                             WHERE s.run_id = $2 AND s.kind = 'f' AND s.external_id = f.external_id)
            AND NOT EXISTS (SELECT 1 FROM vector_store_file l JOIN vector_store vs ON vs.id = l.vector_store_id
                             WHERE l.file_id = f.id AND vs.source <> 'cache')
         RETURNING 1
       )
       SELECT count(*)::int AS removed FROM gone`,
      [this.accountId, listed.runId, listingStartedAt],
    );
    return removed;
  }
}
