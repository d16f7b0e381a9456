import type { DataSource } from 'typeorm';
import { FileEntity } from '../db/entities/file.entity.ts';
import {
  VectorStoreFileEntity,
  type VectorStoreFileStatus,
} from '../db/entities/vector-store-file.entity.ts';
import { applyKeyset, type PageRequest, type SortKey } from './keyset.ts';

/** Links of a store, oldest first (the order OpenAI attaches them in). */
export const vectorStoreFileSortKey: SortKey = {
  sql: 'link.created_at',
  direction: 'ASC',
  valueOf: (row) => (row as VectorStoreFileEntity).createdAt.toISOString(),
};

/** Files and their links to stores, always within one account. */
export class FileService {
  constructor(private readonly db: DataSource) {}

  async listLinks(
    accountId: string,
    vectorStoreId: string,
    status: VectorStoreFileStatus | null,
    page: PageRequest,
  ): Promise<VectorStoreFileEntity[]> {
    const qb = this.db
      .getRepository(VectorStoreFileEntity)
      .createQueryBuilder('link')
      .innerJoin('link.vectorStore', 'vs', 'vs.account_id = :accountId', { accountId })
      .where('link.vector_store_id = :vectorStoreId', { vectorStoreId });
    if (status) qb.andWhere('link.status = :status', { status });
    // The link's key is (store, file): the file id breaks ties of the keyset.
    return applyKeyset(qb, 'link.file_id', vectorStoreFileSortKey, page).getMany();
  }

  /**
   * The first `limit` links of each store, in one query however many stores: what a page of stores
   * with `files(first: n)` needs.
   */
  async firstLinksOfStores(
    accountId: string,
    vectorStoreIds: readonly string[],
    status: VectorStoreFileStatus | null,
    limit: number,
  ): Promise<Map<string, VectorStoreFileEntity[]>> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT l.* FROM unnest($2::uuid[]) AS s(id)
       CROSS JOIN LATERAL (
         SELECT l.* FROM vector_store_file l
          WHERE l.vector_store_id = s.id AND ($3::varchar IS NULL OR l.status = $3)
          ORDER BY l.created_at, l.file_id LIMIT $4) l
       WHERE EXISTS (SELECT 1 FROM vector_store vs WHERE vs.id = s.id AND vs.account_id = $1)`,
      [accountId, vectorStoreIds, status, limit],
    );
    const byStore = new Map<string, VectorStoreFileEntity[]>(vectorStoreIds.map((id) => [id, []]));
    const repository = this.db.getRepository(VectorStoreFileEntity);
    for (const row of rows) {
      const link = repository.create({
        vectorStoreId: row.vector_store_id as string,
        fileId: row.file_id as string,
        status: row.status as VectorStoreFileStatus,
        usageBytes: Number(row.usage_bytes),
        lastError: row.last_error as VectorStoreFileEntity['lastError'],
        attributes: row.attributes as VectorStoreFileEntity['attributes'],
        chunkingStrategy: row.chunking_strategy as VectorStoreFileEntity['chunkingStrategy'],
        createdAt: row.created_at as Date,
        updatedAt: row.updated_at as Date,
      });
      byStore.get(link.vectorStoreId)!.push(link);
    }
    return byStore;
  }

  async findByIds(accountId: string, ids: readonly string[]): Promise<FileEntity[]> {
    if (ids.length === 0) return [];
    return this.db
      .getRepository(FileEntity)
      .createQueryBuilder('file')
      .where('file.account_id = :accountId AND file.id = ANY(:ids)', { accountId, ids: [...ids] })
      .getMany();
  }
}
