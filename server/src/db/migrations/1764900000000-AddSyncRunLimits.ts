import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a run learnt of OpenAI's limits: its 429s, and the concurrency and rate in force at its end. */
export class AddSyncRunLimits1764900000000 implements MigrationInterface {
  name = 'AddSyncRunLimits1764900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "throttled" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "concurrency_limit" integer`);
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "rate_limit" double precision`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "rate_limit"`);
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "concurrency_limit"`);
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "throttled"`);
  }
}
