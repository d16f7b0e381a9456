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
import type { VectorStoreSource } from './vector-store.entity.ts';

/** A File object: OpenAI's `file-…` (mirrored) or a local upload whose content is stored by hash. */
@Entity('file')
@Index(['accountId', 'externalId'], { unique: true, where: 'external_id IS NOT NULL' })
@Index(['accountId', 'createdAt'])
export class FileEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column({ type: 'varchar', length: 16 })
  source!: VectorStoreSource;

  @Column({ type: 'varchar', length: 128, nullable: true })
  externalId!: string | null;

  @Column({ type: 'varchar', length: 1024 })
  filename!: string;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  bytes!: number;

  @Column({ type: 'varchar', length: 32 })
  purpose!: string;

  /** SHA-256 of the stored content of a local upload (content-addressed, deduplicated). */
  @Column({ type: 'char', length: 64, nullable: true })
  contentHash!: string | null;

  /** OpenAI's `created_at` for mirrored Files; the upload time for local ones. */
  @Column({ type: 'timestamptz', precision: 3 })
  fileCreatedAt!: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  syncedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
