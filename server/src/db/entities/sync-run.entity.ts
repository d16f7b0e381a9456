import { AccountEntity } from './account.entity.ts';
import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

export type SyncRunStatus = 'RUNNING' | 'SUCCEEDED' | 'PARTIAL' | 'FAILED';
export type SyncTrigger = 'SCHEDULE' | 'MANUAL' | 'CLI';

export interface SyncRunError {
  /** OpenAI id of the store the failure concerns, when it concerns one. */
  vectorStoreExternalId: string | null;
  message: string;
  at: string;
}

/** One sync of an account (or of one store): its outcome, counts and timings. */
@Entity('sync_run')
@Index(['accountId', 'startedAt'])
@Index(['status'])
export class SyncRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column({ type: 'varchar', length: 16 })
  trigger!: SyncTrigger;

  /** Set when the run covers one store only. */
  @Column({ type: 'uuid', nullable: true })
  vectorStoreId!: string | null;

  /** A full pass re-lists every store, even those whose summary did not change. */
  @Column({ type: 'boolean', default: false })
  full!: boolean;

  @Column({ type: 'varchar', length: 16 })
  status!: SyncRunStatus;

  @Column({ type: 'varchar', length: 32, default: 'starting' })
  phase!: string;

  @Column({ type: 'integer', default: 0 })
  storesTotal!: number;

  @Column({ type: 'integer', default: 0 })
  storesDone!: number;

  @Column({ type: 'integer', default: 0 })
  storesCreated!: number;

  @Column({ type: 'integer', default: 0 })
  storesUpdated!: number;

  @Column({ type: 'integer', default: 0 })
  storesRemoved!: number;

  /** Store files read so far (progress: subscribers that missed events re-read it here). */
  @Column({ type: 'integer', default: 0 })
  filesDone!: number;

  @Column({ type: 'integer', default: 0 })
  filesCreated!: number;

  @Column({ type: 'integer', default: 0 })
  filesUpdated!: number;

  @Column({ type: 'integer', default: 0 })
  filesRemoved!: number;

  @Column({ type: 'integer', default: 0 })
  orphansFound!: number;

  @Column({ type: 'integer', default: 0 })
  requests!: number;

  @Column({ type: 'integer', default: 0 })
  retries!: number;

  /** Requests OpenAI answered 429 (each also counted in `retries` when retried). */
  @Column({ type: 'integer', default: 0 })
  throttled!: number;

  /** Requests in flight the account's limiter allowed, as last seen by the run. */
  @Column({ type: 'integer', nullable: true })
  concurrencyLimit!: number | null;

  /** Requests per second the limiter allowed (null: no rate limit learnt or set). */
  @Column({ type: 'double precision', nullable: true })
  rateLimit!: number | null;

  @Column({ type: 'jsonb', default: [] })
  errors!: SyncRunError[];

  @Column({ type: 'timestamptz', precision: 3 })
  startedAt!: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  finishedAt!: Date | null;
}
