import type { DataSource } from 'typeorm';
import { VectorStoreEntity } from '../db/entities/vector-store.entity.ts';

/**
 * Expires primary stores by OpenAI's rule (`expires_at = last_active_at + days`, see
 * domain/expiration.ts). Mirrors (`source = 'cache'`) are never touched: they learn their expiry from
 * OpenAI through sync, and writing them here would break the strict-mirror rule. The job does not
 * declare itself a mirror writer, so the database's trigger (MirrorRowsGuard) would refuse such a write.
 */
export class ExpiryService {
  constructor(private readonly db: DataSource) {}

  /**
   * Marks every due primary store `expired` in one statement and returns how many changed. Idempotent
   * and safe to run from several processes at once: a row already expired no longer matches, and
   * PostgreSQL's row locks make a concurrent second UPDATE skip what the first changed. A store being
   * deleted keeps `deleting`: its deletion must finish, not be hidden behind another status.
   */
  async expireDuePrimaryStores(now: Date): Promise<number> {
    const result = await this.db
      .createQueryBuilder()
      .update(VectorStoreEntity)
      .set({ status: 'expired' }) // updated_at follows (UpdateDateColumn)
      .where(`source = 'primary'`)
      .andWhere(`status NOT IN ('expired', 'deleting')`)
      .andWhere('expires_at <= :now', { now })
      .execute();
    return result.affected ?? 0;
  }
}
