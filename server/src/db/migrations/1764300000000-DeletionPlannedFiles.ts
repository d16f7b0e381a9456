import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Remembers which Files a store deletion will delete, so a crash between detach and delete orphans none. */
export class DeletionPlannedFiles1764300000000 implements MigrationInterface {
  name = 'DeletionPlannedFiles1764300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "remote_deletion" ADD "planned_file_ids" jsonb NOT NULL DEFAULT '[]'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "remote_deletion" DROP COLUMN "planned_file_ids"`);
  }
}
