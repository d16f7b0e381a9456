import type { DataSource } from 'typeorm';
import type { Config } from './config.ts';
import { createDataSource } from './db/data-source.ts';
import type { Logger } from './logger.ts';

export interface Database {
  dataSource: DataSource;
  /** The connection string in use (the embedded server's when DATABASE_URL is unset). */
  url: string;
  /** Stops the pool, and the embedded server when this process started one. */
  close(): Promise<void>;
}

/** Connects to `DATABASE_URL`, or to an embedded PostgreSQL under the data directory, and migrates. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded = async () => {};
  if (url === null) {
    const { startEmbeddedPostgres } = await import('./db/embedded-postgres.ts');
    const embedded = await startEmbeddedPostgres(config.dataDir, (line) => logger.info(line));
    url = embedded.url;
    stopEmbedded = embedded.stop;
    logger.info({ dataDir: config.dataDir }, 'Using the embedded PostgreSQL (no DATABASE_URL)');
  }
  const dataSource = createDataSource({ url });
  try {
    await dataSource.initialize();
  } catch (error) {
    await stopEmbedded();
    throw new Error(`Cannot connect to PostgreSQL: ${(error as Error).message}`);
  }
  const applied = await withStartupLock(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
  if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'Applied migrations');
  return {
    dataSource,
    url,
    close: async () => {
      await dataSource.destroy();
      await stopEmbedded();
    },
  };
}

/** Advisory-lock key of start-up work (`'BOOT'` in ASCII). */
const STARTUP_LOCK = 0x424f4f54;

/**
 * Runs start-up work (migrations, the default account) in one replica at a time: replicas started
 * together on an empty database would otherwise migrate twice or create two default accounts.
 */
export async function withStartupLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
