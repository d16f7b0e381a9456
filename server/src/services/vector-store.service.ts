import type { DataSource } from 'typeorm';
import {
  VectorStoreEntity,
  type StorageBackend,
  type VectorStoreSource,
  type VectorStoreStatus,
} from '../db/entities/vector-store.entity.ts';
import { dateOrNull, epochMs, PreparedStatements, SqlParameters } from '../db/prepared-statements.ts';
import { keysetSql, type PageRequest, type SortKey } from './keyset.ts';

export interface VectorStoreFilter {
  source?: VectorStoreSource | null;
  backend?: StorageBackend | null;
  status?: VectorStoreStatus | null;
  /** Case-insensitive substring of the name (of the OpenAI id, for a store without a name). */
  search?: string | null;
  /** Only stores with an expiration date before this instant. */
  expiresBefore?: Date | null;
}

export type VectorStoreOrderField = 'CREATED_AT' | 'NAME' | 'USAGE_BYTES' | 'EXPIRES_AT' | 'LAST_ACTIVE_AT';
export interface VectorStoreOrder {
  field: VectorStoreOrderField;
  direction: 'ASC' | 'DESC';
}

const iso = (d: Date | null, fallback: string) => (d ? d.toISOString() : fallback);

/** Sort keys; nullable columns sort as if far in the future, so "never" comes last ascending. */
const sortKeys: Record<VectorStoreOrderField, Omit<SortKey, 'direction'>> = {
  CREATED_AT: { sql: 'vs.created_at', valueOf: (r) => iso(r.createdAt, '') },
  // A store without a name sorts by its OpenAI id (mirrors always have one, local stores a name).
  NAME: { sql: `COALESCE(vs.name, vs.external_id, '')`, valueOf: (r) => r.name ?? r.externalId ?? '' },
  USAGE_BYTES: { sql: 'vs.usage_bytes', valueOf: (r) => r.usageBytes },
  EXPIRES_AT: { sql: `COALESCE(vs.expires_at, 'infinity')`, valueOf: (r) => iso(r.expiresAt, 'infinity') },
  LAST_ACTIVE_AT: {
    sql: `COALESCE(vs.last_active_at, '-infinity')`,
    valueOf: (r) => iso(r.lastActiveAt, '-infinity'),
  },
};

export function vectorStoreSortKey(order: VectorStoreOrder): SortKey {
  return { ...sortKeys[order.field], direction: order.direction };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * What a list page reads of a store: the columns the GraphQL type exposes, named as the entity's
 * properties, bigint as float8 (byte counts stay far below 2^53) and instants as epoch milliseconds,
 * so a row becomes an entity without TypeORM's hydration. The list columns hold every sort key (a
 * cursor needs it) and all the web app's store list shows; the details are read only when asked for.
 */
const STORE_LIST_COLUMNS = `vs.id, vs.backend, vs.source, vs.name, vs.external_id AS "externalId", vs.status,
  ${epochMs('vs.expires_at')} AS "expiresAt", ${epochMs('vs.last_active_at')} AS "lastActiveAt",
  vs.usage_bytes::float8 AS "usageBytes",
  vs.file_count_in_progress AS "fileCountInProgress", vs.file_count_completed AS "fileCountCompleted",
  vs.file_count_failed AS "fileCountFailed", vs.file_count_cancelled AS "fileCountCancelled",
  vs.file_count_total AS "fileCountTotal", vs.files_listed_count AS "filesListedCount",
  ${epochMs('vs.created_at')} AS "createdAt",
  vs.expiration_days AS "expirationDays", ${epochMs('vs.synced_at')} AS "syncedAt"`;
const STORE_DETAIL_COLUMNS = `vs.account_id AS "accountId", vs.description, vs.sync_error AS "syncError",
  vs.metadata, ${epochMs('vs.updated_at')} AS "updatedAt"`;

type InstantColumn = 'expiresAt' | 'lastActiveAt' | 'syncedAt' | 'createdAt' | 'updatedAt';
type StoreRow = Omit<VectorStoreEntity, InstantColumn | 'filesListedSummary'> &
  Record<'expiresAt' | 'lastActiveAt' | 'syncedAt', number | null> &
  Record<'createdAt' | 'updatedAt', number>;

function storeFromRow(row: StoreRow): VectorStoreEntity {
  // Copied once, then its instants made Dates in place.
  const store = Object.assign(new VectorStoreEntity(), row) as unknown as VectorStoreEntity;
  store.expiresAt = dateOrNull(row.expiresAt);
  store.lastActiveAt = dateOrNull(row.lastActiveAt);
  store.createdAt = new Date(row.createdAt);
  store.syncedAt = dateOrNull(row.syncedAt);
  if ('updatedAt' in row) store.updatedAt = new Date(row.updatedAt);
  return store;
}

/** The WHERE conditions of a filter, always scoped by the account. */
function filterConditions(accountId: string, filter: VectorStoreFilter, params: SqlParameters): string[] {
  const conditions = [`vs.account_id = ${params.add(accountId)}`];
  if (filter.source) conditions.push(`vs.source = ${params.add(filter.source)}`);
  if (filter.backend) conditions.push(`vs.backend = ${params.add(filter.backend)}`);
  if (filter.status) conditions.push(`vs.status = ${params.add(filter.status)}`);
  if (filter.search) {
    const pattern = params.add(`%${escapeLike(filter.search)}%`);
    conditions.push(`COALESCE(vs.name, vs.external_id) ILIKE ${pattern}`);
  }
  if (filter.expiresBefore) conditions.push(`vs.expires_at < ${params.add(filter.expiresBefore)}`);
  return conditions;
}

/** Reads and writes vector stores of one account at a time; every query is scoped by account. */
export class VectorStoreService {
  private readonly statements: PreparedStatements;

  constructor(private readonly db: DataSource) {
    this.statements = new PreparedStatements(db);
  }

  async list(
    accountId: string,
    filter: VectorStoreFilter,
    order: VectorStoreOrder,
    page: PageRequest,
    /** Without: only what a list shows (see STORE_LIST_COLUMNS); the other properties are left unset. */
    details: boolean,
  ): Promise<VectorStoreEntity[]> {
    const params = new SqlParameters();
    const conditions = filterConditions(accountId, filter, params);
    const keyset = keysetSql(vectorStoreSortKey(order), 'vs.id', page, params);
    const rows = await this.statements.rows<StoreRow>(
      `SELECT ${STORE_LIST_COLUMNS}${details ? `, ${STORE_DETAIL_COLUMNS}` : ''} FROM vector_store vs
        WHERE ${[...conditions, ...keyset.conditions].join(' AND ')} ${keyset.orderAndLimit}`,
      params.values,
    );
    return rows.map(storeFromRow);
  }

  async count(accountId: string, filter: VectorStoreFilter): Promise<number> {
    const params = new SqlParameters();
    const conditions = filterConditions(accountId, filter, params);
    const [row] = await this.statements.rows<{ count: number }>(
      `SELECT count(*)::int AS count FROM vector_store vs WHERE ${conditions.join(' AND ')}`,
      params.values,
    );
    return row!.count;
  }

  /**
   * Another account's store is indistinguishable from a missing one. Every property but the sync's own
   * bookkeeping (`filesListedSummary`), read as a page is (the web app's store page asks for one).
   */
  async findById(accountId: string, id: string): Promise<VectorStoreEntity | null> {
    const [row] = await this.statements.rows<StoreRow>(
      `SELECT ${STORE_LIST_COLUMNS}, ${STORE_DETAIL_COLUMNS} FROM vector_store vs
        WHERE vs.id = $1 AND vs.account_id = $2`,
      [id, accountId],
    );
    return row ? storeFromRow(row) : null;
  }

  async findByIds(accountId: string, ids: readonly string[]): Promise<VectorStoreEntity[]> {
    if (ids.length === 0) return [];
    return this.db
      .getRepository(VectorStoreEntity)
      .createQueryBuilder('vs')
      .where('vs.account_id = :accountId AND vs.id = ANY(:ids)', { accountId, ids: [...ids] })
      .getMany();
  }
}
