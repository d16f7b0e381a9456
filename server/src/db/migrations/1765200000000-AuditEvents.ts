import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: one row per admin action (GraphQL mutation or CLI command) with its outcome.
 * Indexes serve the newest-first listing of an account and its filters (actor, kind, target), and
 * the retention job's range delete on `occurred_at`.
 */
export class AuditEvents1765200000000 implements MigrationInterface {
  name = 'AuditEvents1765200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "actor_kind" character varying(8) NOT NULL, "actor_token_id" uuid, "actor_name" character varying(100) NOT NULL, "kind" character varying(40) NOT NULL, "targets" jsonb NOT NULL DEFAULT '[]', "summary" jsonb NOT NULL DEFAULT '{}', "outcome" character varying(10) NOT NULL, "error_type" character varying(64), CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_806add0204f192a9f867d0515c" ON "audit_event" ("occurred_at")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_eca2fc73bee1b871821c2f4a2a" ON "audit_event" ("account_id", "kind", "occurred_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_6b6cd85e79f6eeb89c3f147fad" ON "audit_event" ("account_id", "actor_token_id", "occurred_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_71ff02ef640fe31b696f71d390" ON "audit_event" ("account_id", "occurred_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_event_targets" ON "audit_event" USING gin ("targets" jsonb_path_ops)`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_event" ADD CONSTRAINT "FK_9a0add94b189f80fb9499bb6d09" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_event"`);
  }
}
