import 'reflect-metadata';
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

/** The one TypeORM DataSource of a process. Schema changes only ever come from migrations. */
export function createDataSource({ url, poolSize = 10, logger, ...options }: DataSourceOptions): DataSource {
  return new DataSource({
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
    extra: { application_name: 'vs-align' },
  });
}
