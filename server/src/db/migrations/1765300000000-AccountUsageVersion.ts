import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A counter of the account's usage-history writes: histories computed at one value stay true. */
export class AccountUsageVersion1765300000000 implements MigrationInterface {
  name = 'AccountUsageVersion1765300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "account" ADD "usage_version" integer NOT NULL DEFAULT 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "account" DROP COLUMN "usage_version"`);
  }
}
