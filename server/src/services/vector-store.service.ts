import type { DataSource } from 'typeorm';
import {
  VectorStoreEntity,
  type StorageBackend,
  type VectorStoreSource,
  type VectorStoreStatus,
} from '../db/entities/vector-store.entity.ts';
import { applyKeyset, type PageRequest, type SortKey } from './keyset.ts';

export interface VectorStoreFilter {
  source?: VectorStoreSource | null;
  backend?: StorageBackend | null;
  status?: VectorStoreStatus | null;
  /** Case-insensitive substring of the name. */
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
  NAME: { sql: 'vs.name', valueOf: (r) => r.name },
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

/** Reads and writes vector stores of one account at a time; every query is scoped by account. */
export class VectorStoreService {
  constructor(private readonly db: DataSource) {}

  private filtered(accountId: string, filter: VectorStoreFilter) {
    const qb = this.db
      .getRepository(VectorStoreEntity)
      .createQueryBuilder('vs')
      .where('vs.account_id = :accountId', { accountId });
    if (filter.source) qb.andWhere('vs.source = :source', { source: filter.source });
    if (filter.backend) qb.andWhere('vs.backend = :backend', { backend: filter.backend });
    if (filter.status) qb.andWhere('vs.status = :status', { status: filter.status });
    if (filter.search) qb.andWhere(`vs.name ILIKE :search`, { search: `%${escapeLike(filter.search)}%` });
    if (filter.expiresBefore)
      qb.andWhere('vs.expires_at < :expiresBefore', { expiresBefore: filter.expiresBefore });
    return qb;
  }

  async list(
    accountId: string,
    filter: VectorStoreFilter,
    order: VectorStoreOrder,
    page: PageRequest,
  ): Promise<VectorStoreEntity[]> {
    return applyKeyset(this.filtered(accountId, filter), 'vs.id', vectorStoreSortKey(order), page).getMany();
  }

  async count(accountId: string, filter: VectorStoreFilter): Promise<number> {
    return this.filtered(accountId, filter).getCount();
  }

  /** Another account's store is indistinguishable from a missing one. */
  async findById(accountId: string, id: string): Promise<VectorStoreEntity | null> {
    return this.db.getRepository(VectorStoreEntity).findOneBy({ accountId, id });
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
