import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mirrors of stores OpenAI holds without a name (`"name": null`) keep a null name, and an account
 * remembers that OpenAI refused its key (scheduled syncs wait until the key changes).
 */
export class UnnamedStoresAndRejectedKeys1764613000000 implements MigrationInterface {
  name = 'UnnamedStoresAndRejectedKeys1764613000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vector_store" ALTER COLUMN "name" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "account" ADD "openai_key_rejected_at" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "account" ADD "openai_key_rejection_code" character varying(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "account" DROP COLUMN "openai_key_rejection_code"`);
    await queryRunner.query(`ALTER TABLE "account" DROP COLUMN "openai_key_rejected_at"`);
    // Mirrors are guarded by a trigger (MirrorRowsGuard): this transaction speaks for the sync.
    await queryRunner.query(`SET LOCAL vs_align.mirror_writer = 'sync'`);
    await queryRunner.query(`UPDATE "vector_store" SET "name" = '' WHERE "name" IS NULL`);
    await queryRunner.query(`ALTER TABLE "vector_store" ALTER COLUMN "name" SET NOT NULL`);
  }
}
