import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who is authoritative for a store: existing OpenAI stores become read-only mirrors (`cache`). */
export class AddVectorStoreSource1764100000000 implements MigrationInterface {
  name = 'AddVectorStoreSource1764100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "vector_store" ADD "source" character varying(16) NOT NULL DEFAULT 'primary'`,
    );
    await queryRunner.query(`UPDATE "vector_store" SET "source" = 'cache' WHERE "backend" = 'openai'`);
    await queryRunner.query(
      `CREATE INDEX "IDX_e084c2eb698536e67e1a304d94" ON "vector_store"  ("account_id", "source") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_e084c2eb698536e67e1a304d94"`);
    await queryRunner.query(`ALTER TABLE "vector_store" DROP COLUMN "source"`);
  }
}
