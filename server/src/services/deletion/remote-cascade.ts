import OpenAI from 'openai';
import type { DataSource } from 'typeorm';
import { parseOne, remoteObjectIdSchema, remoteVectorStoreSchema } from '../../openai/remote-objects.ts';

/** OpenAI answers 404 for what is already gone: for a deletion that is success. */
export async function ignoreNotFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof OpenAI.NotFoundError) return null;
    throw error;
  }
}

async function fileIdsOf(client: OpenAI, vectorStoreId: string): Promise<string[]> {
  const ids: string[] = [];
  // Only the id matters here; an object without one stops the deletion (retried later), since a
  // File it cannot see might still be in use.
  for await (const file of client.vectorStores.files.list(vectorStoreId, { limit: 100 })) {
    ids.push(parseOne(remoteObjectIdSchema, 'vector store file', file).id);
  }
  return ids;
}

interface LocalSummary {
  status: string;
  total: number;
  completed: number;
  in_progress: number;
  failed: number;
  cancelled: number;
  usage_bytes: string;
  last_active_at: Date | null;
}

/**
 * The Files that stores other than `excludedStoreId` still use, on a fresh view: a store whose remote
 * summary equals the mirror's is read from the mirror; any other is listed from OpenAI again. Stores
 * being deleted do not count: their Files are going too.
 */
export async function filesUsedElsewhere(
  db: DataSource,
  client: OpenAI,
  accountId: string,
  excludedStoreId: string,
): Promise<Set<string>> {
  const mirrored: Array<LocalSummary & { external_id: string }> = await db.query(
    `SELECT external_id, status, file_count_total AS total, file_count_completed AS completed,
            file_count_in_progress AS in_progress, file_count_failed AS failed,
            file_count_cancelled AS cancelled, usage_bytes, last_active_at
       FROM vector_store WHERE account_id = $1 AND source = 'cache'`,
    [accountId],
  );
  const local = new Map(mirrored.map((row) => [row.external_id, row]));
  const used = new Set<string>();
  const stale: string[] = [];
  const current: string[] = [];
  for await (const listed of client.vectorStores.list({ limit: 100 })) {
    const { id } = parseOne(remoteObjectIdSchema, 'vector store', listed);
    if (id === excludedStoreId) continue;
    const row = local.get(id);
    if (row?.status === 'deleting') continue;
    // A store that cannot be read in full is listed again, as a changed one would be.
    const parsed = remoteVectorStoreSchema.safeParse(listed);
    const store = parsed.success ? parsed.data : null;
    const unchanged =
      row !== undefined &&
      store !== null &&
      row.status === store.status &&
      row.total === store.file_counts.total &&
      row.completed === store.file_counts.completed &&
      row.in_progress === store.file_counts.in_progress &&
      row.failed === store.file_counts.failed &&
      row.cancelled === store.file_counts.cancelled &&
      Number(row.usage_bytes) === store.usage_bytes &&
      Math.floor((row.last_active_at?.getTime() ?? 0) / 1000) === (store.last_active_at ?? 0);
    (unchanged ? current : stale).push(id);
  }
  if (current.length > 0) {
    const links: Array<{ external_id: string }> = await db.query(
      `SELECT DISTINCT f.external_id FROM vector_store_file l
         JOIN vector_store vs ON vs.id = l.vector_store_id
         JOIN file f ON f.id = l.file_id
        WHERE vs.account_id = $1 AND vs.external_id = ANY($2) AND f.external_id IS NOT NULL`,
      [accountId, current],
    );
    for (const { external_id } of links) used.add(external_id);
  }
  for (const storeId of stale) {
    const ids = await ignoreNotFound(fileIdsOf(client, storeId));
    for (const id of ids ?? []) used.add(id);
  }
  return used;
}

export { fileIdsOf };
