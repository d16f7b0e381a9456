import { afterEach, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/db/data-source.ts';
import { migrations } from '../src/db/migrations/index.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

describe('migrations', () => {
  it('backfills source = cache for OpenAI stores that existed before the column', async () => {
    database = await createTestDatabase({ migrated: false });
    await database.dataSource.destroy();

    // The schema as the first release had it: vector_store with backend and no source.
    const firstRelease = createDataSource({ url: database.url, migrations: migrations.slice(0, 1) });
    await firstRelease.initialize();
    await firstRelease.runMigrations();
    const columns = await firstRelease.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'vector_store'`,
    );
    expect(columns.map((c: { column_name: string }) => c.column_name)).not.toContain('source');
    const [{ id: accountId }] = await firstRelease.query(
      `INSERT INTO account (name) VALUES ('old') RETURNING id`,
    );
    await firstRelease.query(
      `INSERT INTO vector_store (account_id, backend, external_id, name) VALUES
         ($1, 'openai', 'vs_a', 'remote a'), ($1, 'local', NULL, 'local b'), ($1, 'openai', 'vs_c', 'remote c')`,
      [accountId],
    );
    await firstRelease.destroy();

    const current = createDataSource({ url: database.url });
    await current.initialize();
    const applied = await current.runMigrations();
    expect(applied.map((m) => m.name)).toEqual(migrations.slice(1).map((m) => m.name));
    const rows = await current.query(`SELECT name, backend, source FROM vector_store ORDER BY name`);
    await current.destroy();
    expect(rows).toEqual([
      { name: 'local b', backend: 'local', source: 'primary' },
      { name: 'remote a', backend: 'openai', source: 'cache' },
      { name: 'remote c', backend: 'openai', source: 'cache' },
    ]);
  });

  it('agree with the entities: generating a migration after all of them yields nothing', async () => {
    database = await createTestDatabase();
    const pending = await database.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('can all be reverted, leaving no table behind', async () => {
    database = await createTestDatabase();
    for (let i = 0; i < migrations.length; i++) await database.dataSource.undoLastMigration();
    const tables = await database.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(tables).toEqual([]);
  });
});
