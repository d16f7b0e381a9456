import { parseArgs } from 'node:util';
import { loadServerSecret, SecretBox, SecretDecryptionError } from '../auth/secret-box.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../database.ts';
import { createLogger } from '../logger.ts';
import { AccountService } from '../services/account.service.ts';
import { AuditService } from '../services/audit.service.ts';
import { auditCli, readSecretFromStdin } from './admin-context.ts';

export const summary = 'Re-encrypt every stored OpenAI key with the current SECRET_KEY.';
export const usage = [
  'pnpm cli secrets rekey [--old-key-stdin]',
  '  Seals every OpenAI key again with the current SECRET_KEY (or DATA_DIR/secret.key).',
  '  --old-key-stdin reads the previous SECRET_KEY from standard input (once; it is not kept):',
  '  echo "$OLD_SECRET_KEY" | SECRET_KEY="$NEW_SECRET_KEY" pnpm cli secrets rekey --old-key-stdin',
].join('\n');

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'old-key-stdin': { type: 'boolean' } },
  });
  if (positionals[0] !== 'rekey') {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const oldKey = values['old-key-stdin'] ? await readSecretFromStdin() : null;
  if (values['old-key-stdin'] && !oldKey) {
    process.stderr.write('No old key on standard input\n');
    return 2;
  }
  const config = loadConfig();
  const box = new SecretBox(await loadServerSecret(config.secretKey, config.dataDir), oldKey ? [oldKey] : []);
  const database = await openDatabase(config, createLogger('warn', process.stderr));
  // Server-wide (every account's key): the event belongs to no account. Only the key id is noted.
  const audit = new AuditService(database.dataSource);
  const event = { accountId: null, kind: 'REKEY_SECRETS', targets: [] };
  try {
    const { resealed, current } = await new AccountService(database.dataSource, box).resealOpenAIKeys();
    await auditCli(audit, { ...event, summary: { keyId: box.keyId, resealed, current } });
    process.stdout.write(
      `Re-encrypted ${resealed} OpenAI key(s) with key id ${box.keyId}; ${current} already used it.\n`,
    );
    return 0;
  } catch (error) {
    await auditCli(audit, {
      ...event,
      summary: { keyId: box.keyId },
      outcome: 'FAILED',
      errorType: error instanceof Error ? error.constructor.name : 'Error',
    });
    if (!(error instanceof SecretDecryptionError)) throw error;
    process.stderr.write(`Nothing was changed. ${error.message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}
