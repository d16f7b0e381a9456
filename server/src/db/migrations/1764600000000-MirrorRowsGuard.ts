import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The strict-mirror rule in PostgreSQL: a mirror row (`source = 'cache'`) is inserted, deleted or has
 * its mirrored columns changed only by a transaction that declared itself the sync or the deletion
 * queue (`SET LOCAL vs_align.mirror_writer`, see db/mirror-writer.ts). Anything else, a raw UPDATE
 * included, fails with SQLSTATE VA001. Bookkeeping columns (`synced_at`, `files_listed_summary`,
 * `updated_at`) stay free.
 */
export class MirrorRowsGuard1764600000000 implements MigrationInterface {
  name = 'MirrorRowsGuard1764600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION refuse_mirror_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF coalesce(current_setting('vs_align.mirror_writer', true), '') IN ('sync', 'deletion') THEN
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        IF TG_OP = 'INSERT' AND NEW.source = 'cache'
           OR TG_OP = 'DELETE' AND OLD.source = 'cache'
           OR TG_OP = 'UPDATE' AND (OLD.source = 'cache' OR NEW.source = 'cache')
              AND (OLD.account_id, OLD.backend, OLD.source, OLD.external_id, OLD.name, OLD.description,
                   OLD.status, OLD.expiration_days, OLD.expires_at, OLD.last_active_at, OLD.usage_bytes,
                   OLD.file_count_in_progress, OLD.file_count_completed, OLD.file_count_failed,
                   OLD.file_count_cancelled, OLD.file_count_total, OLD.metadata, OLD.created_at)
                  IS DISTINCT FROM
                  (NEW.account_id, NEW.backend, NEW.source, NEW.external_id, NEW.name, NEW.description,
                   NEW.status, NEW.expiration_days, NEW.expires_at, NEW.last_active_at, NEW.usage_bytes,
                   NEW.file_count_in_progress, NEW.file_count_completed, NEW.file_count_failed,
                   NEW.file_count_cancelled, NEW.file_count_total, NEW.metadata, NEW.created_at)
        THEN
          RAISE EXCEPTION 'vector store % is a read-only mirror: only the sync or the deletion queue may % it',
            coalesce(OLD.id, NEW.id), lower(TG_OP)
            USING ERRCODE = 'VA001';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER vector_store_mirror_guard BEFORE INSERT OR UPDATE OR DELETE ON vector_store
         FOR EACH ROW EXECUTE FUNCTION refuse_mirror_write()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER vector_store_mirror_guard ON vector_store`);
    await queryRunner.query(`DROP FUNCTION refuse_mirror_write()`);
  }
}
