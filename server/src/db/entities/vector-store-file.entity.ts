import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from '../column-types.ts';
import { FileEntity } from './file.entity.ts';
import { VectorStoreEntity } from './vector-store.entity.ts';

export type VectorStoreFileStatus = 'in_progress' | 'completed' | 'failed' | 'cancelled';

/** The link of a File to a store (OpenAI's "vector store file"; its id is the File's id). */
@Entity('vector_store_file')
@Index(['fileId'])
@Index(['vectorStoreId', 'createdAt'])
export class VectorStoreFileEntity {
  @PrimaryColumn({ type: 'uuid' })
  vectorStoreId!: string;

  @PrimaryColumn({ type: 'uuid' })
  fileId!: string;

  @ManyToOne(() => VectorStoreEntity, { onDelete: 'CASCADE' })
  vectorStore?: VectorStoreEntity;

  @ManyToOne(() => FileEntity, { onDelete: 'CASCADE' })
  file?: FileEntity;

  @Column({ type: 'varchar', length: 16 })
  status!: VectorStoreFileStatus;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  usageBytes!: number;

  @Column({ type: 'jsonb', nullable: true })
  lastError!: { code: string; message: string } | null;

  @Column({ type: 'jsonb', nullable: true })
  attributes!: Record<string, string | number | boolean> | null;

  @Column({ type: 'jsonb', nullable: true })
  chunkingStrategy!: Record<string, unknown> | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}

/** A link as the API hands it out: always with its File. */
export type LinkWithFile = VectorStoreFileEntity & { file: FileEntity };
