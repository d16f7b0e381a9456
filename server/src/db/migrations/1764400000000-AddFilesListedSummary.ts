import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Incremental sync: the remote summary of a mirror when its files were last listed completely. */
export class AddFilesListedSummary1764400000000 implements MigrationInterface {
  name = 'AddFilesListedSummary1764400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vector_store" ADD "files_listed_summary" character varying(200)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vector_store" DROP COLUMN "files_listed_summary"`);
  }
}
