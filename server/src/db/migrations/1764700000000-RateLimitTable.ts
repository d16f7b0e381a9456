import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters shared by every replica (rate-limiter-flexible's PostgreSQL store, created here
 * rather than by the library at run time: its own CREATE TABLE races between replicas). UNLOGGED: the
 * counters live seconds, and losing them in a crash only resets the current window.
 */
export class RateLimitTable1764700000000 implements MigrationInterface {
  name = 'RateLimitTable1764700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "rate_limit" ("key" varchar(255) PRIMARY KEY, "points" integer NOT NULL DEFAULT 0, "expire" bigint)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rate_limit"`);
  }
}
