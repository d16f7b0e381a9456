import type { DataSource } from 'typeorm';

const TABLES = [
  'account',
  'api_token',
  'vector_store',
  'file',
  'vector_store_file',
  'sync_run',
  'remote_deletion',
];

/** Every row of every table, in a stable order: compare two snapshots to prove nothing was written. */
export async function snapshotTables(db: DataSource): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    snapshot[table] = await db.query(`SELECT * FROM ${table} ORDER BY 1, 2`);
  }
  return snapshot;
}
