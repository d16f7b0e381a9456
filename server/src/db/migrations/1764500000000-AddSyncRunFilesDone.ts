import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sync progress: store files read so far, kept on the run so a subscriber can re-read it. */
export class AddSyncRunFilesDone1764500000000 implements MigrationInterface {
  name = 'AddSyncRunFilesDone1764500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "files_done" integer NOT NULL DEFAULT '0'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "files_done"`);
  }
}
