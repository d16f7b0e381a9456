import 'reflect-metadata';
import pg from 'pg';
import { DataSource, type Logger } from 'typeorm';
import { entities } from './entities/index.ts';
import { migrations } from './migrations/index.ts';
import { SnakeNamingStrategy } from './naming-strategy.ts';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  logger?: Logger;
  /** Tests replay the history one step at a time; everything else runs all migrations. */
  migrations?: typeof migrations;
}

const pools = new WeakMap<DataSource, pg.Pool>();

/**
 * The pg pool behind a DataSource made by `createDataSource`: the project creates it and TypeORM is
 * handed it, so the hot paths (PreparedStatements) use it without reaching into TypeORM's driver.
 */
export function poolOf(db: DataSource): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('This DataSource was not made by createDataSource: it has no pool of ours.');
  return pool;
}

/** The one TypeORM DataSource of a process. Schema changes only ever come from migrations. */
export function createDataSource({ url, poolSize = 10, logger, ...options }: DataSourceOptions): DataSource {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'vs-align' });
  // TypeORM creates its pool with `new driver.Pool(options)` when it connects: it gets ours (a
  // constructor that returns an object yields that object), and ends it on destroy().
  const driver = {
    ...pg,
    Pool: function OwnedPool() {
      return pool;
    },
  };
  const dataSource = new DataSource({
    driver,
    type: 'postgres',
    url,
    entities,
    migrations: options.migrations ?? migrations,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    uuidExtension: 'pgcrypto',
    poolSize,
    logger,
    logging: logger ? ['query', 'error'] : false,
  });
  pools.set(dataSource, pool);
  return dataSource;
}
