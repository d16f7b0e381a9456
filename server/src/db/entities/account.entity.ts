import { bigintToNumber } from '../column-types.ts';
import { STORAGE_QUOTA_DEFAULT_BYTES } from '../../domain/storage-cost.ts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A tenant: its OpenAI connection, sync schedule and orphan policy. */
@Entity('account')
export class AccountEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** AES-256-GCM ciphertext of the OpenAI API key (see auth/secret-box.ts); never returned by the API. */
  @Column({ type: 'text', nullable: true })
  openaiApiKeyEncrypted!: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  openaiBaseUrl!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  openaiProject!: string | null;

  /**
   * When OpenAI last refused the account's key (401), and its error code; null while the key is not
   * known to be refused. Scheduled syncs wait while it is set; a new key or a manual sync clears it.
   */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  openaiKeyRejectedAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  openaiKeyRejectionCode!: string | null;

  /** Cron expression (croner) of the scheduled sync. */
  @Column({ type: 'varchar', length: 100, default: '*/5 * * * *' })
  syncSchedule!: string;

  /** Every Nth scheduled run re-lists every store, changed or not. */
  @Column({ type: 'integer', default: 12 })
  fullSyncEvery!: number;

  /** Files attached to no store are orphans only once older than this. */
  @Column({ type: 'integer', default: 24 })
  orphanGraceHours!: number;

  /**
   * Bytes of Files the account may store before OpenAI refuses uploads; the usage forecast measures
   * against it. Default: 2.5 TB (decimal, 2.5 × 10^12 bytes), OpenAI's documented per-project limit
   * ("each project can store up to 2.5 TB of files in total", `POST /files` in the OpenAPI spec).
   */
  @Column({ type: 'bigint', default: STORAGE_QUOTA_DEFAULT_BYTES, transformer: bigintToNumber })
  storageQuotaBytes!: number;

  /**
   * Bumped with every write of the account's usage points (a new point, thinning): a usage history
   * computed at one value is still the history while the value stands (UsageHistoryService).
   */
  @Column({ type: 'integer', default: 0 })
  usageVersion!: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
