import type { DataSource } from 'typeorm';
import { PreparedStatements } from '../../db/prepared-statements.ts';

/**
 * Ids recorded per statement: their JSON text (about 30 bytes an id) stays under 128 kB, small enough
 * to be an ordinary young object for V8 and to stay out of the memory glibc keeps (see FILE_WRITE_SLICE
 * in account-sync.ts). A 10,000-File page is recorded in four statements.
 */
const IDS_PER_STATEMENT = 2_500;

/** What a listing holds: stores (`s`) or Files (`f`). */
export type ListedKind = 's' | 'f';

/**
 * The ids one run's listings returned, kept in PostgreSQL (`sync_listed_id`) page by page, so that the
 * process holds one page at a time whatever the size of the account, and the sweeps after complete
 * listings ("remove what was not listed") are a join. The rows are removed when the run ends, and the
 * rows of runs that ended without removing them (a crash) when the next run of any account starts.
 */
export class ListingLedger {
  /**
   * The ids go to PostgreSQL as one JSON text (`JSON.stringify`, a single string), on the pool's own
   * connections as prepared statements (`PreparedStatements`), like the mirror's page writes. Through
   * TypeORM's `query` as a `text[]`, a 10,000-File page cost a string built piece by piece (pg's array
   * literal) and left about 1 MB to be promoted to the old generation at every minor collection: at a
   * million Files that garbage, freed only by full collections, was most of the growth of the peak
   * heap (bench/sync.ts, the 1,000,000-File row).
   */
  private readonly statements: PreparedStatements;

  constructor(
    private readonly db: DataSource,
    readonly runId: string,
  ) {
    this.statements = new PreparedStatements(db);
  }

  /** Records ids (a listing may repeat an object: it is recorded once). */
  async record(kind: ListedKind, ids: string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
      await this.statements.rows(
        `INSERT INTO sync_listed_id (run_id, kind, external_id)
         SELECT $1, $2, id FROM jsonb_array_elements_text($3::jsonb) AS id
         ON CONFLICT DO NOTHING`,
        [this.runId, kind, JSON.stringify(ids.slice(start, start + IDS_PER_STATEMENT))],
      );
    }
  }

  /** Records ids as `record` does, and returns those this run had not recorded before. */
  async recordFirstSeen(kind: ListedKind, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.statements.rows<{ external_id: string }>(
      `INSERT INTO sync_listed_id (run_id, kind, external_id)
       SELECT $1, $2, id FROM jsonb_array_elements_text($3::jsonb) AS id
       ON CONFLICT DO NOTHING
       RETURNING external_id`,
      [this.runId, kind, JSON.stringify(ids)],
    );
    return new Set(rows.map((row) => row.external_id));
  }

  /**
   * Call before a sweep joins against the ledger. The table's statistics are otherwise those of a
   * moment it held other runs' ids (or none), and the planner, expecting a handful of rows, probes it
   * by a sequential scan per mirror row: a 22,000-File sweep took 200 s that way instead of 50 ms.
   */
  async analyze(): Promise<void> {
    await this.db.query(`ANALYZE sync_listed_id`);
  }

  async clear(): Promise<void> {
    await this.db.query(`DELETE FROM sync_listed_id WHERE run_id = $1`, [this.runId]);
  }

  /** Drops the listings of runs no longer running (their process died before clearing them). */
  static async clearAbandoned(db: DataSource): Promise<void> {
    await db.query(
      `DELETE FROM sync_listed_id l
        WHERE NOT EXISTS (SELECT 1 FROM sync_run r WHERE r.id = l.run_id AND r.status = 'RUNNING')`,
    );
  }
}
