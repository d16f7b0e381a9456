import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Files and their store links, sync runs, and the durable queue of remote deletions. */
export class FilesSyncRunsAndDeletionQueue1764200000000 implements MigrationInterface {
  name = 'FilesSyncRunsAndDeletionQueue1764200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "file" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "external_id" character varying(128), "filename" character varying(1024) NOT NULL, "bytes" bigint NOT NULL DEFAULT '0', "purpose" character varying(32) NOT NULL, "content_hash" character(64), "file_created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "synced_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_36b46d232307066b3a2c9ea3a1d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d6305ed0c67cc2c38631f91cdd" ON "file"  ("account_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_c2917197d9e059ca055a7a2167" ON "file"  ("account_id", "external_id") WHERE external_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "remote_deletion" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "external_id" character varying(128) NOT NULL, "vector_store_id" uuid, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "lease_until" TIMESTAMP(3) WITH TIME ZONE, "last_error" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1b212770d065b94b1ba956332a9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_541ab882deb0fdd208a04ce666" ON "remote_deletion"  ("account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_8238929ef39122d084d4c47b6d" ON "remote_deletion"  ("next_attempt_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sync_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "trigger" character varying(16) NOT NULL, "vector_store_id" uuid, "full" boolean NOT NULL DEFAULT false, "status" character varying(16) NOT NULL, "phase" character varying(32) NOT NULL DEFAULT 'starting', "stores_total" integer NOT NULL DEFAULT '0', "stores_done" integer NOT NULL DEFAULT '0', "stores_created" integer NOT NULL DEFAULT '0', "stores_updated" integer NOT NULL DEFAULT '0', "stores_removed" integer NOT NULL DEFAULT '0', "files_created" integer NOT NULL DEFAULT '0', "files_updated" integer NOT NULL DEFAULT '0', "files_removed" integer NOT NULL DEFAULT '0', "orphans_found" integer NOT NULL DEFAULT '0', "requests" integer NOT NULL DEFAULT '0', "retries" integer NOT NULL DEFAULT '0', "errors" jsonb NOT NULL DEFAULT '[]', "started_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_ab1387853fd86ea904a21058b01" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_fa1746e60bb31653a1e1ad29d9" ON "sync_run"  ("status") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_04f4a022a185eb99b8364594c9" ON "sync_run"  ("account_id", "started_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "vector_store_file" ("vector_store_id" uuid NOT NULL, "file_id" uuid NOT NULL, "status" character varying(16) NOT NULL, "usage_bytes" bigint NOT NULL DEFAULT '0', "last_error" jsonb, "attributes" jsonb, "chunking_strategy" jsonb, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a46a36c84f01c4fdc276c732330" PRIMARY KEY ("vector_store_id", "file_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_015b0d35ba0753366f70a1004d" ON "vector_store_file"  ("vector_store_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_f3301b98daeeee3776601dec15" ON "vector_store_file"  ("file_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "file" ADD CONSTRAINT "FK_05bffbefcb4dd025df0b3da6c3a" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "remote_deletion" ADD CONSTRAINT "FK_541ab882deb0fdd208a04ce6669" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sync_run" ADD CONSTRAINT "FK_b21fea483127e21c054befabf40" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "vector_store_file" ADD CONSTRAINT "FK_b8ff7fd716a80cdb6512b3866af" FOREIGN KEY ("vector_store_id") REFERENCES "vector_store"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "vector_store_file" ADD CONSTRAINT "FK_f3301b98daeeee3776601dec150" FOREIGN KEY ("file_id") REFERENCES "file"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "vector_store_file" DROP CONSTRAINT "FK_f3301b98daeeee3776601dec150"`,
    );
    await queryRunner.query(
      `ALTER TABLE "vector_store_file" DROP CONSTRAINT "FK_b8ff7fd716a80cdb6512b3866af"`,
    );
    await queryRunner.query(`ALTER TABLE "sync_run" DROP CONSTRAINT "FK_b21fea483127e21c054befabf40"`);
    await queryRunner.query(`ALTER TABLE "remote_deletion" DROP CONSTRAINT "FK_541ab882deb0fdd208a04ce6669"`);
    await queryRunner.query(`ALTER TABLE "file" DROP CONSTRAINT "FK_05bffbefcb4dd025df0b3da6c3a"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_f3301b98daeeee3776601dec15"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_015b0d35ba0753366f70a1004d"`);
    await queryRunner.query(`DROP TABLE "vector_store_file"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_04f4a022a185eb99b8364594c9"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_fa1746e60bb31653a1e1ad29d9"`);
    await queryRunner.query(`DROP TABLE "sync_run"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8238929ef39122d084d4c47b6d"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_541ab882deb0fdd208a04ce666"`);
    await queryRunner.query(`DROP TABLE "remote_deletion"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c2917197d9e059ca055a7a2167"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d6305ed0c67cc2c38631f91cdd"`);
    await queryRunner.query(`DROP TABLE "file"`);
  }
}
