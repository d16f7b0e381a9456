import { parseArgs } from 'node:util';
import { auditCli, readSecretFromStdin, withServices } from './admin-context.ts';

export const summary = 'List accounts, or create one with its OpenAI connection and a first admin token.';
export const usage = [
  'pnpm cli accounts list',
  'pnpm cli accounts create --name <name> [--openai-base-url <url>] [--openai-project <id>] [--openai-key-stdin]',
  '  (--openai-key-stdin reads the API key from standard input: echo "$KEY" | pnpm cli accounts create …)',
].join('\n');

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'openai-base-url': { type: 'string' },
      'openai-project': { type: 'string' },
      'openai-key-stdin': { type: 'boolean' },
    },
  });
  const action = positionals[0];
  if (action === 'list') {
    return withServices(async (services) => {
      for (const account of await services.accounts.listAccounts()) {
        const openai = account.openaiApiKeyEncrypted ? (account.openaiBaseUrl ?? 'api.openai.com') : 'no key';
        process.stdout.write(`${account.id}  ${account.name}  (${openai})\n`);
      }
      return 0;
    });
  }
  if (action === 'create') {
    const name = values.name?.trim();
    if (!name) {
      process.stderr.write(`--name is required\n\n${usage}\n`);
      return 2;
    }
    const apiKey = values['openai-key-stdin'] ? await readSecretFromStdin() : null;
    if (values['openai-key-stdin'] && !apiKey) {
      process.stderr.write('No API key on standard input\n');
      return 2;
    }
    return withServices(async (services, config) => {
      const account = await services.accounts.createAccount({
        name,
        syncSchedule: config.syncSchedule,
        openaiApiKey: apiKey,
        openaiBaseUrl: values['openai-base-url'] ?? null,
        openaiProject: values['openai-project'] ?? null,
      });
      const token = await services.accounts.issueTokenWithId(account.id, 'ADMIN', 'created with the account');
      // The name and where it connects; whether a key was given, never the key nor the token.
      await auditCli(services.audit, {
        accountId: account.id,
        kind: 'CREATE_ACCOUNT',
        targets: [
          { type: 'Account', id: account.id },
          { type: 'ApiToken', id: token.id },
        ],
        summary: {
          name,
          openaiKeySet: apiKey !== null,
          openaiBaseUrl: values['openai-base-url'] ?? null,
          openaiProject: values['openai-project'] ?? null,
          tokenRole: 'ADMIN',
        },
      });
      process.stdout.write(`account ${account.id}\nadmin token (shown once): ${token.token}\n`);
      return 0;
    });
  }
  process.stderr.write(`${usage}\n`);
  return 2;
}
