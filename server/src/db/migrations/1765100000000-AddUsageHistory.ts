import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage history (issue 17): one row per completed sync, thinned as it ages (see UsagePointEntity), and
 * each account's storage quota, defaulting to OpenAI's documented 2.5 TB per project.
 */
export class AddUsageHistory1765100000000 implements MigrationInterface {
  name = 'AddUsageHistory1765100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "usage_point" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "mirror_stores" integer NOT NULL, "local_stores" integer NOT NULL, "files" integer NOT NULL, "file_bytes" bigint NOT NULL, "usage_bytes" bigint NOT NULL, "billable_bytes" bigint NOT NULL, "estimated_daily_cost_usd" double precision NOT NULL, "orphan_files" integer NOT NULL, "orphan_bytes" bigint NOT NULL, "stores_without_expiration" integer NOT NULL, "stores_with_count_drift" integer NOT NULL, "runs" integer NOT NULL DEFAULT '1', "duration_ms" bigint NOT NULL, "requests" integer NOT NULL, CONSTRAINT "PK_db4112b65b74d2bd8fb220ea4b2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_b40bf61d11baffb1931fd0d7d9" ON "usage_point" ("account_id", "at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "account" ADD "storage_quota_bytes" bigint NOT NULL DEFAULT '2500000000000'`,
    );
    await queryRunner.query(
      `ALTER TABLE "usage_point" ADD CONSTRAINT "FK_87abfe5445b5879b389ffd6b3e5" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "usage_point" DROP CONSTRAINT "FK_87abfe5445b5879b389ffd6b3e5"`);
    await queryRunner.query(`ALTER TABLE "account" DROP COLUMN "storage_quota_bytes"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_b40bf61d11baffb1931fd0d7d9"`);
    await queryRunner.query(`DROP TABLE "usage_point"`);
  }
}
