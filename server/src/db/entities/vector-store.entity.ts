import { AccountEntity } from './account.entity.ts';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintToNumber } from '../column-types.ts';

/** Where a store's contents live. */
export type StorageBackend = 'local' | 'openai';
/** Who is authoritative: this database (`primary`) or OpenAI (`cache`, a read-only mirror). */
export type VectorStoreSource = 'primary' | 'cache';
export type VectorStoreStatus = 'in_progress' | 'completed' | 'expired' | 'deleting';

@Entity('vector_store')
@Index(['accountId', 'createdAt', 'id'])
@Index(['accountId', 'source'])
@Index(['accountId', 'status'])
@Index(['accountId', 'expiresAt'])
@Index(['accountId', 'externalId'], { unique: true, where: 'external_id IS NOT NULL' })
export class VectorStoreEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column({ type: 'varchar', length: 16 })
  backend!: StorageBackend;

  @Column({ type: 'varchar', length: 16, default: 'primary' })
  source!: VectorStoreSource;

  /** OpenAI's `vs_…` id for mirrors; null for local stores. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  externalId!: string | null;

  /** Null for a mirror of a store created without a name (OpenAI answers `"name": null`). */
  @Column({ type: 'varchar', length: 256, nullable: true })
  name!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'completed' })
  status!: VectorStoreStatus;

  /** Days of inactivity after `lastActiveAt` before the store expires; null means it never expires. */
  @Column({ type: 'integer', nullable: true })
  expirationDays!: number | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  lastActiveAt!: Date | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  usageBytes!: number;

  @Column({ type: 'integer', default: 0 })
  fileCountInProgress!: number;

  @Column({ type: 'integer', default: 0 })
  fileCountCompleted!: number;

  @Column({ type: 'integer', default: 0 })
  fileCountFailed!: number;

  @Column({ type: 'integer', default: 0 })
  fileCountCancelled!: number;

  @Column({ type: 'integer', default: 0 })
  fileCountTotal!: number;

  @Column({ type: 'jsonb', default: {} })
  metadata!: Record<string, string>;

  /**
   * A mirror's remote summary (status, file counts, usage bytes, last active) when its files were last
   * listed completely. Sync re-lists a store's files only when the summary differs; null forces it.
   */
  @Column({ type: 'varchar', length: 200, nullable: true })
  filesListedSummary!: string | null;

  /**
   * Files the last complete listing of a mirror held. OpenAI's `file_counts` can stay stale (after a
   * File deletion, for one): the mirror keeps what OpenAI reports, and a difference is count drift.
   */
  @Column({ type: 'integer', nullable: true })
  filesListedCount!: number | null;

  /**
   * Why the last sync could not mirror part of this store as OpenAI reports it (an `expires_after` the
   * expiration vocabulary cannot hold); null when it mirrored all of it, and for local stores.
   */
  @Column({ type: 'text', nullable: true })
  syncError!: string | null;

  /** When the mirror last read this store from OpenAI; null for local stores. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  syncedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
