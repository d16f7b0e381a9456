import os from 'node:os';
import { loadSecretBox } from '../auth/load-secret-box.ts';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase } from '../database.ts';
import { createLogger } from '../logger.ts';
import type { AuditActor, AuditRecord, AuditService } from '../services/audit.service.ts';
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

/** The CLI's actor in the audit log: the OS user running it (`cli` when it cannot be read). */
export function cliActor(): AuditActor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the event still says it came from the CLI.
  }
  return { kind: 'CLI', name: `cli:${user}`.slice(0, 100) };
}

/**
 * Writes the audit event of a CLI command that changed something (or tried to). `summary` must hold
 * allowlisted values only: never a key or a token.
 */
export function auditCli(
  audit: AuditService,
  event: Omit<AuditRecord, 'actor' | 'errorType' | 'outcome'> &
    Partial<Pick<AuditRecord, 'errorType' | 'outcome'>>,
): Promise<void> {
  return audit.record({ outcome: 'SUCCEEDED', errorType: null, ...event, actor: cliActor() });
}
