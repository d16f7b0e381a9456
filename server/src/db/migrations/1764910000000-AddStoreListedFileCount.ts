import type { MigrationInterface, QueryRunner } from 'typeorm';

/** How many files a mirror's last complete listing held, beside the counts OpenAI reports (drift). */
export class AddStoreListedFileCount1764910000000 implements MigrationInterface {
  name = 'AddStoreListedFileCount1764910000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vector_store" ADD "files_listed_count" integer`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vector_store" DROP COLUMN "files_listed_count"`);
  }
}
