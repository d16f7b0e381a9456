import type { DataSource } from 'typeorm';
import { AuditEventEntity, type AuditOutcome, type AuditTarget } from '../db/entities/audit-event.entity.ts';
import { applyKeyset, encodeCursor, type PageRequest, type SortKey } from './keyset.ts';

/** Who acted: a token of the API (its name is read when the event is written), or the CLI. */
export type AuditActor = { kind: 'TOKEN'; tokenId: string } | { kind: 'CLI'; name: string };

/** What happened, as one audit row records it. */
export interface AuditRecord {
  /** Null for a server-wide action (e.g. `secrets rekey`), which no account's admin lists. */
  accountId: string | null;
  actor: AuditActor;
  kind: string;
  targets: AuditTarget[];
  /** Allowlisted input fields only: callers never put a secret or file content here. */
  summary: Record<string, unknown>;
  outcome: AuditOutcome;
  errorType: string | null;
}

export interface AuditFilter {
  actorTokenId?: string | null;
  kind?: string | null;
  targetId?: string | null;
  /** Inclusive lower bound. */
  since?: Date | null;
  /** Exclusive upper bound. */
  until?: Date | null;
}

/** Newest first; the id breaks ties. */
const auditSortKey: SortKey = {
  sql: 'event.occurred_at',
  direction: 'DESC',
  valueOf: (row) => (row as AuditEventEntity).occurredAt.toISOString(),
};

export const DEFAULT_AUDIT_RETENTION_DAYS = 180;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The audit log: written once per admin action, read by an account's admins, pruned by age. */
export class AuditService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * One INSERT. A token's name is read inside it, so the row keeps the name the token had when it
   * acted. It runs after the action, outside its transaction, because the outcome (a refusal or a
   * rolled-back failure included) is only known then.
   */
  async record(event: AuditRecord): Promise<void> {
    const tokenId = event.actor.kind === 'TOKEN' ? event.actor.tokenId : null;
    const cliName = event.actor.kind === 'CLI' ? event.actor.name : null;
    await this.db.query(
      `INSERT INTO audit_event
         (account_id, occurred_at, actor_kind, actor_token_id, actor_name, kind, targets, summary, outcome, error_type)
       VALUES ($1, $2, $3, $4::uuid,
               COALESCE($5::varchar, (SELECT name FROM api_token WHERE id = $4::uuid), 'unknown token'),
               $6, $7, $8, $9, $10)`,
      [
        event.accountId,
        this.clock(),
        event.actor.kind,
        tokenId,
        cliName,
        event.kind,
        JSON.stringify(event.targets),
        JSON.stringify(event.summary),
        event.outcome,
        event.errorType,
      ],
    );
  }

  async list(accountId: string, filter: AuditFilter, page: PageRequest): Promise<AuditEventEntity[]> {
    const qb = this.db
      .getRepository(AuditEventEntity)
      .createQueryBuilder('event')
      .where('event.account_id = :accountId', { accountId });
    if (filter.actorTokenId) qb.andWhere('event.actor_token_id = :actor', { actor: filter.actorTokenId });
    if (filter.kind) qb.andWhere('event.kind = :kind', { kind: filter.kind });
    if (filter.targetId)
      qb.andWhere('event.targets @> :target::jsonb', { target: JSON.stringify([{ id: filter.targetId }]) });
    if (filter.since) qb.andWhere('event.occurred_at >= :since', { since: filter.since });
    if (filter.until) qb.andWhere('event.occurred_at < :until', { until: filter.until });
    return applyKeyset(qb, 'event.id', auditSortKey, page).getMany();
  }

  cursor(event: AuditEventEntity): string {
    return encodeCursor(auditSortKey, event);
  }

  /** Deletes events older than `retentionDays` before now; returns how many. */
  async prune(retentionDays: number): Promise<number> {
    const cutoff = new Date(this.clock().getTime() - retentionDays * DAY_MS);
    const rows: Array<{ deleted: number }> = await this.db.query(
      `WITH gone AS (DELETE FROM audit_event WHERE occurred_at < $1 RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [cutoff],
    );
    return rows[0]?.deleted ?? 0;
  }
}
