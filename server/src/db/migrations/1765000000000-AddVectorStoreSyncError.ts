import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why the sync could not mirror part of a store as OpenAI reports it (a policy outside the expiration
 * vocabulary). Rows written before the sync validated `expires_after` may hold days outside 1..365,
 * which reading would refuse: they lose the policy and say why, until the next sync reads it again.
 */
export class AddVectorStoreSyncError1765000000000 implements MigrationInterface {
  name = 'AddVectorStoreSyncError1765000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vector_store" ADD "sync_error" text`);
    await queryRunner.query(
      `UPDATE "vector_store"
          SET "sync_error" = 'expires_after.days was ' || "expiration_days" || ', outside 1..365: the policy is not mirrored',
              "expiration_days" = NULL
        WHERE "expiration_days" NOT BETWEEN 1 AND 365`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vector_store" DROP COLUMN "sync_error"`);
  }
}
