import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ids a running sync has listed (stores and Files), so that the sweep after a complete listing
 * reads them from PostgreSQL instead of the process holding an account's worth of ids. Unlogged: a
 * crash loses a listing, and a crashed run's listing proves nothing anyway.
 */
export class SyncListedIds1765050000000 implements MigrationInterface {
  name = 'SyncListedIds1765050000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "sync_listed_id" (
         "run_id" uuid NOT NULL,
         "kind" "char" NOT NULL,
         "external_id" text NOT NULL,
         CONSTRAINT "PK_sync_listed_id" PRIMARY KEY ("run_id", "kind", "external_id")
       )`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sync_listed_id"`);
  }
}
