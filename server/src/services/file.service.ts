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
 * A link and its File as one row: bigint as float8 and instants as epoch milliseconds. The store
 * comes as its position in the asked list and the File's account is the one asked for: a page reads
 * hundreds of these rows, and every text column costs a decode. The details are read only when asked
 * for (see `firstLinksOfStores`).
 */
interface LinkWithFileRow {
  ord: number;
  fileId: string;
  status: VectorStoreFileStatus;
  usageBytes: number;
  createdAt: number;
  filename: string;
  bytes: number;
}
interface LinkDetailsRow {
  lastError: VectorStoreFileEntity['lastError'];
  attributes: VectorStoreFileEntity['attributes'];
  chunkingStrategy: VectorStoreFileEntity['chunkingStrategy'];
  fileSource: FileEntity['source'];
  fileExternalId: string | null;
  purpose: string;
  fileCreatedAt: number;
}

const hasDetails = (row: LinkWithFileRow): row is LinkWithFileRow & LinkDetailsRow => 'purpose' in row;

function linkWithFile(row: LinkWithFileRow, vectorStoreId: string, accountId: string): LinkWithFile {
  const file = new FileEntity();
  file.id = row.fileId;
  file.accountId = accountId;
  file.filename = row.filename;
  file.bytes = row.bytes;
  const link = new VectorStoreFileEntity() as LinkWithFile;
  link.vectorStoreId = vectorStoreId;
  link.fileId = row.fileId;
  link.status = row.status;
  link.usageBytes = row.usageBytes;
  link.createdAt = new Date(row.createdAt);
  link.file = file;
  if (hasDetails(row)) {
    file.source = row.fileSource;
    file.externalId = row.fileExternalId;
    file.purpose = row.purpose;
    file.fileCreatedAt = new Date(row.fileCreatedAt);
    link.lastError = row.lastError;
    link.attributes = row.attributes;
    link.chunkingStrategy = row.chunkingStrategy;
  }
  return link;
}

/** The first links of each store and their Files, in store order then link order. */
const firstLinksSql = (withStatus: boolean, withDetails: boolean) => `
  SELECT s.ord::int AS ord, l.* FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, ord)
  CROSS JOIN LATERAL (
    SELECT l.file_id AS "fileId", l.status, l.usage_bytes::float8 AS "usageBytes",
           ${epochMs('l.created_at')} AS "createdAt", f.filename, f.bytes::float8 AS bytes
           ${
             withDetails
               ? `, l.last_error AS "lastError", l.attributes, l.chunking_strategy AS "chunkingStrategy",
                  f.source AS "fileSource", f.external_id AS "fileExternalId", f.purpose,
                  ${epochMs('f.file_created_at')} AS "fileCreatedAt"`
               : ''
           }
      FROM vector_store_file l JOIN file f ON f.id = l.file_id AND f.account_id = $1
     WHERE l.vector_store_id = s.id ${withStatus ? 'AND l.status = $4' : ''}
     ORDER BY l.created_at, l.file_id LIMIT $3) l
  WHERE EXISTS (SELECT 1 FROM vector_store vs WHERE vs.id = s.id AND vs.account_id = $1)
  ORDER BY s.ord, l."createdAt", l."fileId"`;
/** By [with a status][with details]. */
const FIRST_LINKS = [
  [firstLinksSql(false, false), firstLinksSql(false, true)],
  [firstLinksSql(true, false), firstLinksSql(true, true)],
] as const;

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
   * stores: what a page of stores with `files(first: n)` needs. Without `details`, only what a list
   * shows is read (status, usage, attachment time, File id, name and size); the other properties are
   * left unset, for a caller that does not use them.
   */
  async firstLinksOfStores(
    accountId: string,
    vectorStoreIds: readonly string[],
    status: VectorStoreFileStatus | null,
    limit: number,
    details: boolean,
  ): Promise<Map<string, LinkWithFile[]>> {
    const rows = await this.statements.rows<LinkWithFileRow>(
      FIRST_LINKS[status ? 1 : 0][details ? 1 : 0],
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
