import type { EntityManager } from 'typeorm';
import { VectorStoreEntity } from '../db/entities/vector-store.entity.ts';
import { NotFoundError } from './errors.ts';
import { isUuid } from './ids.ts';

/**
 * Locks a store's row for the rest of the transaction, so concurrent edits and deletions of one store
 * run one after the other. Another account's store is not found, exactly like a missing one.
 */
export async function lockStore(
  manager: EntityManager,
  accountId: string,
  id: string,
): Promise<VectorStoreEntity> {
  const store = isUuid(id)
    ? await manager
        .getRepository(VectorStoreEntity)
        .createQueryBuilder('vs')
        .setLock('pessimistic_write')
        .where('vs.id = :id AND vs.account_id = :accountId', { id, accountId })
        .getOne()
    : null;
  if (!store) throw new NotFoundError('VectorStore', id);
  return store;
}
