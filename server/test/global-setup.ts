import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDataSource } from '../src/db/data-source.ts';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL without a database name. */
    postgresServerUrl: string;
    /** A database with every migration applied, used as the template of each test database. */
    templateDatabase: string;
  }
}

/**
 * One PostgreSQL for the run: `DATABASE_URL`'s server, else an embedded one in a temporary folder.
 * A migrated template database makes each test's own database a cheap `CREATE DATABASE … TEMPLATE`.
 */
export default async function setup(project: TestProject) {
  let serverUrl: string;
  let stop = async () => {};
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '';
    serverUrl = url.toString().replace(/\/$/, '');
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-test-pg-'));
    const embedded = await startEmbeddedPostgres(dir, () => {});
    serverUrl = embedded.url.replace(/\/vs_align$/, '');
    stop = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }

  const template = `vs_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const dataSource = createDataSource({ url: `${serverUrl}/${template}`, poolSize: 1 });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();

  project.provide('postgresServerUrl', serverUrl);
  project.provide('templateDatabase', template);

  return async () => {
    const leftovers = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%' OR datname = $1`,
      [template],
    );
    for (const { datname } of leftovers.rows)
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.end();
    await stop();
  };
}
