import type { DataSource } from 'typeorm';
import { FileEntity } from '../db/entities/file.entity.ts';
import {
  VectorStoreFileEntity,
  type LinkWithFile,
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
 * as epoch milliseconds. The store comes as its position in the asked list and the File's account is
 * the one asked for: a page reads hundreds of these rows, and every text column costs a decode.
 */
interface LinkWithFileRow {
  ord: number;
  fileId: string;
  status: VectorStoreFileStatus;
  usageBytes: number;
  lastError: VectorStoreFileEntity['lastError'];
  attributes: VectorStoreFileEntity['attributes'];
  chunkingStrategy: VectorStoreFileEntity['chunkingStrategy'];
  createdAt: number;
  fileSource: FileEntity['source'];
  fileExternalId: string | null;
  filename: string;
  bytes: number;
  purpose: string;
  fileCreatedAt: number;
}

function linkWithFile(row: LinkWithFileRow, vectorStoreId: string, accountId: string): LinkWithFile {
  const file = new FileEntity();
  file.id = row.fileId;
  file.accountId = accountId;
  file.source = row.fileSource;
  file.externalId = row.fileExternalId;
  file.filename = row.filename;
  file.bytes = row.bytes;
  file.purpose = row.purpose;
  file.fileCreatedAt = new Date(row.fileCreatedAt);
  const link = new VectorStoreFileEntity() as LinkWithFile;
  link.vectorStoreId = vectorStoreId;
  link.fileId = row.fileId;
  link.status = row.status;
  link.usageBytes = row.usageBytes;
  link.lastError = row.lastError;
  link.attributes = row.attributes;
  link.chunkingStrategy = row.chunkingStrategy;
  link.createdAt = new Date(row.createdAt);
  link.file = file;
  return link;
}

/** The first links of each store and their Files, in store order then link order. */
const firstLinksSql = (withStatus: boolean) => `
  SELECT s.ord::int AS ord, l.* FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, ord)
  CROSS JOIN LATERAL (
    SELECT l.file_id AS "fileId", l.status, l.usage_bytes::float8 AS "usageBytes", l.last_error AS "lastError",
           l.attributes, l.chunking_strategy AS "chunkingStrategy", ${epochMs('l.created_at')} AS "createdAt",
           f.source AS "fileSource", f.external_id AS "fileExternalId", f.filename, f.bytes::float8 AS bytes,
           f.purpose, ${epochMs('f.file_created_at')} AS "fileCreatedAt"
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
  ): Promise<LinkWithFile[]> {
    const qb = this.db
      .getRepository(VectorStoreFileEntity)
      .createQueryBuilder('link')
      .innerJoin('link.vectorStore', 'vs', 'vs.account_id = :accountId', { accountId })
      .innerJoinAndSelect('link.file', 'file')
      .where('link.vector_store_id = :vectorStoreId', { vectorStoreId });
    if (status) qb.andWhere('link.status = :status', { status });
    // The link's key is (store, file): the file id breaks ties of the keyset.
    return (await applyKeyset(qb, 'link.file_id', vectorStoreFileSortKey, page).getMany()) as LinkWithFile[];
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
  ): Promise<Map<string, LinkWithFile[]>> {
    const rows = await this.statements.rows<LinkWithFileRow>(
      status ? FIRST_LINKS_WITH_STATUS : FIRST_LINKS,
      status ? [accountId, vectorStoreIds, limit, status] : [accountId, vectorStoreIds, limit],
    );
    const byStore = new Map<string, LinkWithFile[]>(vectorStoreIds.map((id) => [id, []]));
    for (const row of rows) {
      const vectorStoreId = vectorStoreIds[row.ord - 1]!;
      byStore.get(vectorStoreId)!.push(linkWithFile(row, vectorStoreId, accountId));
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
