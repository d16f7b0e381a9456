import { AccountEntity } from './account.entity.ts';
import { bigintToNumber } from '../column-types.ts';
import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One point of an account's usage history (issue 17 "insight over time"): the account's levels as they
 * stood when a sync run completed, and that run's own counters.
 *
 * Thinning (services/usage-history.service.ts) merges older points into one per hour, then per day.
 * Level columns (stores, Files, bytes, cost, orphans, drift) keep the value of the bucket's last point:
 * they describe a moment, and the last moment of the bucket is the truest. Run counters (`runs`,
 * `durationMs`, `requests`) are summed, so totals over any range stay exact and a per-run figure is
 * `durationMs / runs` or `requests / runs`.
 */
@Entity('usage_point')
@Index(['accountId', 'at'])
export class UsagePointEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  /** When the (last merged) run finished. */
  @Column({ type: 'timestamptz', precision: 3 })
  at!: Date;

  /** Mirrors of OpenAI stores (source `cache`). */
  @Column({ type: 'integer' })
  mirrorStores!: number;

  /** Stores kept here (backend `local`). */
  @Column({ type: 'integer' })
  localStores!: number;

  /** Files of the account (mirrored and local). */
  @Column({ type: 'integer' })
  files!: number;

  /** Their total `bytes`: what OpenAI's per-project storage limit counts. */
  @Column({ type: 'bigint', transformer: bigintToNumber })
  fileBytes!: number;

  /** `usage_bytes` of the stores OpenAI bills (see domain/storage-cost.ts). */
  @Column({ type: 'bigint', transformer: bigintToNumber })
  usageBytes!: number;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  billableBytes!: number;

  @Column({ type: 'double precision' })
  estimatedDailyCostUsd!: number;

  @Column({ type: 'integer' })
  orphanFiles!: number;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  orphanBytes!: number;

  /** Billed stores with no expiration policy. */
  @Column({ type: 'integer' })
  storesWithoutExpiration!: number;

  /** Mirrors whose reported file count differs from their last complete listing. */
  @Column({ type: 'integer' })
  storesWithCountDrift!: number;

  /** Runs merged into this point (1 until thinned). */
  @Column({ type: 'integer', default: 1 })
  runs!: number;

  /** Sum of the merged runs' durations, in milliseconds. */
  @Column({ type: 'bigint', transformer: bigintToNumber })
  durationMs!: number;

  /** Sum of the merged runs' OpenAI requests. */
  @Column({ type: 'integer' })
  requests!: number;
}
