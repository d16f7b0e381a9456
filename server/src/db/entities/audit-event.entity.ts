import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AccountEntity } from './account.entity.ts';

/** Who acted: a bearer token through the API, or a person at the server's CLI. */
export type AuditActorKind = 'TOKEN' | 'CLI';

/** How an action ended. REFUSED: not allowed (role, read-only mirror); FAILED: allowed but it did not work. */
export type AuditOutcome = 'SUCCEEDED' | 'FAILED' | 'REFUSED';

/** An object an action concerned, e.g. `{ type: 'VectorStore', id }`. */
export interface AuditTarget {
  type: string;
  id: string;
}

/**
 * One admin action (a GraphQL mutation or a CLI command) and its outcome. Written once, after the
 * action ended, never updated; pruned after `AUDIT_RETENTION_DAYS`. Holds no secret and no file
 * content: `summary` is built from an allowlist of input fields (services/audit/audit.service.ts).
 */
@Entity('audit_event')
@Index(['accountId', 'occurredAt', 'id'])
@Index(['accountId', 'actorTokenId', 'occurredAt'])
@Index(['accountId', 'kind', 'occurredAt'])
@Index(['occurredAt'])
// `targets @> '[{"id": …}]'` (filter by target); a GIN index TypeORM cannot declare, made by the migration.
@Index('IDX_audit_event_targets', { synchronize: false })
export class AuditEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Null for a server-wide action that concerns no single account (`secrets rekey`). */
  @Column({ type: 'uuid', nullable: true })
  accountId!: string | null;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 8 })
  actorKind!: AuditActorKind;

  /** The token that acted; null for the CLI. Kept after the token is revoked. */
  @Column({ type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  /** The token's name when it acted, or `cli:<OS user>`. */
  @Column({ type: 'varchar', length: 100 })
  actorName!: string;

  @Column({ type: 'varchar', length: 40 })
  kind!: string;

  @Column({ type: 'jsonb', default: [] })
  targets!: AuditTarget[];

  /** Allowlisted input fields (names, sizes, ids), never a secret or a file's bytes. */
  @Column({ type: 'jsonb', default: {} })
  summary!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 10 })
  outcome!: AuditOutcome;

  /** The error's type when the outcome is not SUCCEEDED, e.g. `FORBIDDEN`, `ReadOnlyMirrorError`. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  errorType!: string | null;
}
