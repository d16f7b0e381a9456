import type { DataSource } from 'typeorm';
import { FileEntity } from '../db/entities/file.entity.ts';
import { VectorStoreFileEntity, type VectorStoreFileStatus } from '../db/entities/vector-store-file.entity.ts';
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

  async findByIds(accountId: string, ids: readonly string[]): Promise<FileEntity[]> {
    if (ids.length === 0) return [];
    return this.db
      .getRepository(FileEntity)
      .createQueryBuilder('file')
      .where('file.account_id = :accountId AND file.id = ANY(:ids)', { accountId, ids: [...ids] })
      .getMany();
  }
}
