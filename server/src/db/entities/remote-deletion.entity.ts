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

/** What a queue item deletes in OpenAI: a whole store (with its unshared Files) or one File. */
export type RemoteDeletionKind = 'VECTOR_STORE' | 'FILE';

/**
 * The durable queue of remote deletions. An item is written in the same transaction that marks its
 * store `deleting`, retried with backoff until OpenAI confirms (404 counts as done), then removed.
 */
@Entity('remote_deletion')
@Index(['nextAttemptAt'])
@Index(['accountId'])
export class RemoteDeletionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column({ type: 'varchar', length: 16 })
  kind!: RemoteDeletionKind;

  /** OpenAI id of the store or File to delete. */
  @Column({ type: 'varchar', length: 128 })
  externalId!: string;

  /** The local mirror row of the store being deleted, removed once the remote work is done. */
  @Column({ type: 'uuid', nullable: true })
  vectorStoreId!: string | null;

  /**
   * OpenAI ids of the Files a store deletion decided to delete, recorded before the first detach:
   * a File detached before a crash is still deleted on the retry, though no store lists it any more.
   */
  @Column({ type: 'jsonb', default: [] })
  plannedFileIds!: string[];

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  nextAttemptAt!: Date;

  /** A worker holds the item until then; a crashed worker's item is taken again after it. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  leaseUntil!: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
