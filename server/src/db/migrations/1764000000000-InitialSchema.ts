import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts, tokens and vector stores as the first release had them: `backend`, no `source`. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "openai_api_key_encrypted" text, "openai_base_url" character varying(2048), "openai_project" character varying(200), "sync_schedule" character varying(100) NOT NULL DEFAULT '*/5 * * * *', "full_sync_every" integer NOT NULL DEFAULT '12', "orphan_grace_hours" integer NOT NULL DEFAULT '24', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_54115ee388cdb6d86bb4bf5b2ea" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "api_token" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "role" character varying(10) NOT NULL, "token_hash" character(64) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_d862311c568d175c26f41bc6f98" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_695ed7a27305873d30ee0f6e12" ON "api_token"  ("account_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_bafaa5aab5957cd193fb2da8f2" ON "api_token"  ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "vector_store" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "backend" character varying(16) NOT NULL, "external_id" character varying(128), "name" character varying(256) NOT NULL, "description" text, "status" character varying(16) NOT NULL DEFAULT 'completed', "expiration_days" integer, "expires_at" TIMESTAMP(3) WITH TIME ZONE, "last_active_at" TIMESTAMP(3) WITH TIME ZONE, "usage_bytes" bigint NOT NULL DEFAULT '0', "file_count_in_progress" integer NOT NULL DEFAULT '0', "file_count_completed" integer NOT NULL DEFAULT '0', "file_count_failed" integer NOT NULL DEFAULT '0', "file_count_cancelled" integer NOT NULL DEFAULT '0', "file_count_total" integer NOT NULL DEFAULT '0', "metadata" jsonb NOT NULL DEFAULT '{}', "synced_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4b03745bde0bba722b724d1fb7d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_4ddc1c19c21935663c7446f5e5" ON "vector_store"  ("account_id", "external_id") WHERE external_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_ac557eec401e26d4ae48f580fb" ON "vector_store"  ("account_id", "expires_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_3147fed1a942c1d61c2c0a1a2a" ON "vector_store"  ("account_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_7a689e50a2c2fe71bcc17a500f" ON "vector_store"  ("account_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "api_token" ADD CONSTRAINT "FK_695ed7a27305873d30ee0f6e127" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "vector_store" ADD CONSTRAINT "FK_86c58e9eab323a548cdc99985ce" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vector_store" DROP CONSTRAINT "FK_86c58e9eab323a548cdc99985ce"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP CONSTRAINT "FK_695ed7a27305873d30ee0f6e127"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7a689e50a2c2fe71bcc17a500f"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3147fed1a942c1d61c2c0a1a2a"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ac557eec401e26d4ae48f580fb"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4ddc1c19c21935663c7446f5e5"`);
    await queryRunner.query(`DROP TABLE "vector_store"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bafaa5aab5957cd193fb2da8f2"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_695ed7a27305873d30ee0f6e12"`);
    await queryRunner.query(`DROP TABLE "api_token"`);
    await queryRunner.query(`DROP TABLE "account"`);
  }
}
