import { loadSecretBox } from '../auth/load-secret-box.ts';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase } from '../database.ts';
import { createLogger } from '../logger.ts';
import { createServices, type Services } from '../services/index.ts';

/** Runs an administration command with the services on the configured database (migrated first). */
export async function withServices(
  work: (services: Services, config: Config) => Promise<number>,
): Promise<number> {
  const config = loadConfig();
  const database = await openDatabase(config, createLogger('warn', process.stderr));
  try {
    return await work(
      createServices(database.dataSource, await loadSecretBox(config), { dataDir: config.dataDir }),
      config,
    );
  } finally {
    await database.close();
  }
}

/** Reads a secret from standard input, so that it appears in no shell history or process list. */
export async function readSecretFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}
