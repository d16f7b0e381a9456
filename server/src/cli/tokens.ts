import { parseArgs } from 'node:util';
import type { Role } from '../db/entities/api-token.entity.ts';
import { auditCli, withServices } from './admin-context.ts';

export const summary = "List, issue or revoke an account's bearer tokens (VIEWER or ADMIN).";
export const usage = [
  'pnpm cli tokens list --account <id>',
  'pnpm cli tokens issue --account <id> --role VIEWER|ADMIN [--name <label>]',
  'pnpm cli tokens revoke --id <token id>',
].join('\n');

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
    },
  });
  const action = positionals[0];
  return withServices(async (services) => {
    if (action === 'list' && values.account) {
      for (const token of await services.accounts.listTokens(values.account)) {
        const state = token.revokedAt ? `revoked ${token.revokedAt.toISOString()}` : 'active';
        process.stdout.write(`${token.id}  ${token.role.padEnd(6)}  ${token.name}  (${state})\n`);
      }
      return 0;
    }
    if (action === 'issue' && values.account && (values.role === 'VIEWER' || values.role === 'ADMIN')) {
      const summary = { role: values.role, name: values.name ?? 'cli' };
      if (!(await services.accounts.findAccount(values.account))) {
        // No account to file it under: a server-wide event.
        await auditCli(services.audit, {
          accountId: null,
          kind: 'ISSUE_TOKEN',
          targets: [],
          summary,
          outcome: 'FAILED',
          errorType: 'NotFoundError',
        });
        process.stderr.write(`No account ${values.account}\n`);
        return 1;
      }
      const token = await services.accounts.issueTokenWithId(
        values.account,
        values.role as Role,
        values.name ?? 'cli',
      );
      await auditCli(services.audit, {
        accountId: values.account,
        kind: 'ISSUE_TOKEN',
        targets: [
          { type: 'Account', id: values.account },
          { type: 'ApiToken', id: token.id },
        ],
        summary,
      });
      process.stdout.write(`${values.role} token (shown once): ${token.token}\n`);
      return 0;
    }
    if (action === 'revoke' && values.id) {
      const accountId = await services.accounts.accountOfToken(values.id);
      const revoked = await services.accounts.revokeToken(values.id);
      await auditCli(services.audit, {
        accountId,
        kind: 'REVOKE_TOKEN',
        targets: accountId ? [{ type: 'ApiToken', id: values.id }] : [],
        // Input that names no token is not copied: it could be anything, a pasted secret included.
        summary: {},
        outcome: revoked ? 'SUCCEEDED' : 'FAILED',
        errorType: revoked ? null : accountId ? 'AlreadyRevoked' : 'NotFoundError',
      });
      process.stdout.write(revoked ? 'revoked\n' : 'no such active token\n');
      return revoked ? 0 : 1;
    }
    process.stderr.write(`${usage}\n`);
    return 2;
  });
}
