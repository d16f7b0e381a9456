import type { DataSource } from 'typeorm';
import { FileEntity } from '../db/entities/file.entity.ts';
import {
  VectorStoreFileEntity,
  type VectorStoreFileStatus,
} from '../db/entities/vector-store-file.entity.ts';
import { epochMs, PreparedStatements } from '../db/prepared-statements.ts';
import { applyKeyset, type PageRequest, type SortKey } from './keyset.ts';

/** Links of a store, oldest first (the order OpenAI attaches them in). */
export const vectorStoreFileSortKey: SortKey = {
  sql: 'link.created_at',
  direction: 'ASC',
  valueOf: (row) => (row as VectorStoreFileEntity).createdAt.toISOString(),
};

/**
 * A link and its File as one row: the columns the GraphQL types expose, bigint as float8 and instants
 * as epoch milliseconds.
 */
interface LinkWithFileRow {
  vectorStoreId: string;
  fileId: string;
  status: VectorStoreFileStatus;
  usageBytes: number;
  lastError: VectorStoreFileEntity['lastError'];
  attributes: VectorStoreFileEntity['attributes'];
  chunkingStrategy: VectorStoreFileEntity['chunkingStrategy'];
  createdAt: number;
  fileAccountId: string;
  fileSource: FileEntity['source'];
  fileExternalId: string | null;
  filename: string;
  bytes: number;
  purpose: string;
  fileCreatedAt: number;
}

function linkWithFile(row: LinkWithFileRow): VectorStoreFileEntity {
  const file = Object.assign(new FileEntity(), {
    id: row.fileId,
    accountId: row.fileAccountId,
    source: row.fileSource,
    externalId: row.fileExternalId,
    filename: row.filename,
    bytes: row.bytes,
    purpose: row.purpose,
    fileCreatedAt: new Date(row.fileCreatedAt),
  });
  return Object.assign(new VectorStoreFileEntity(), {
    vectorStoreId: row.vectorStoreId,
    fileId: row.fileId,
    status: row.status,
    usageBytes: row.usageBytes,
    lastError: row.lastError,
    attributes: row.attributes,
    chunkingStrategy: row.chunkingStrategy,
    createdAt: new Date(row.createdAt),
    file,
  });
}

/** The first links of each store and their Files, in store order then link order. */
const firstLinksSql = (withStatus: boolean) => `
  SELECT l.* FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, ord)
  CROSS JOIN LATERAL (
    SELECT l.vector_store_id AS "vectorStoreId", l.file_id AS "fileId", l.status,
           l.usage_bytes::float8 AS "usageBytes", l.last_error AS "lastError", l.attributes,
           l.chunking_strategy AS "chunkingStrategy", ${epochMs('l.created_at')} AS "createdAt",
           f.account_id AS "fileAccountId", f.source AS "fileSource", f.external_id AS "fileExternalId",
           f.filename, f.bytes::float8 AS bytes, f.purpose, ${epochMs('f.file_created_at')} AS "fileCreatedAt"
      FROM vector_store_file l JOIN file f ON f.id = l.file_id AND f.account_id = $1
     WHERE l.vector_store_id = s.id ${withStatus ? 'AND l.status = $4' : ''}
     ORDER BY l.created_at, l.file_id LIMIT $3) l
  WHERE EXISTS (SELECT 1 FROM vector_store vs WHERE vs.id = s.id AND vs.account_id = $1)
  ORDER BY s.ord, l."createdAt", l."fileId"`;
const FIRST_LINKS = firstLinksSql(false);
const FIRST_LINKS_WITH_STATUS = firstLinksSql(true);

/** Files and their links to stores, always within one account. */
export class FileService {
  private readonly statements: PreparedStatements;

  constructor(private readonly db: DataSource) {
    this.statements = new PreparedStatements(db);
  }

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
   * The first `limit` links of each store with their Files (`link.file`), in one query however many
   * stores: what a page of stores with `files(first: n)` needs.
   */
  async firstLinksOfStores(
    accountId: string,
    vectorStoreIds: readonly string[],
    status: VectorStoreFileStatus | null,
    limit: number,
  ): Promise<Map<string, VectorStoreFileEntity[]>> {
    const rows = await this.statements.rows<LinkWithFileRow>(
      status ? FIRST_LINKS_WITH_STATUS : FIRST_LINKS,
      status ? [accountId, vectorStoreIds, limit, status] : [accountId, vectorStoreIds, limit],
    );
    const byStore = new Map<string, VectorStoreFileEntity[]>(vectorStoreIds.map((id) => [id, []]));
    for (const row of rows) byStore.get(row.vectorStoreId)!.push(linkWithFile(row));
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
