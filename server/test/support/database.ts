import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource, Logger } from 'typeorm';
import { inject } from 'vitest';
import { createDataSource } from '../../src/db/data-source.ts';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${inject('postgresServerUrl')}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, fully migrated database of the test's own, on the run's real PostgreSQL server. */
export async function createTestDatabase(
  options: { migrated?: boolean; logger?: Logger } = {},
): Promise<TestDatabase> {
  // Named after this run's template, so a run cleans up its own databases and never another run's.
  const name = `${inject('templateDatabase')}_${randomBytes(6).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : inject('templateDatabase');
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = `${inject('postgresServerUrl')}/${name}`;
  const dataSource = createDataSource({ url, poolSize: 4, logger: options.logger });
  await dataSource.initialize();
  return {
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
