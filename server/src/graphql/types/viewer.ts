import { AccountEntity } from '../../db/entities/account.entity.ts';
import { apiKeyRejectedMessage } from '../../services/sync/api-key-rejection.ts';
import { isUuid } from '../../services/ids.ts';
import { builder } from '../builder.ts';

export const RoleEnum = builder.enumType('Role', {
  description: 'What a token may do.',
  values: {
    VIEWER: { value: 'VIEWER', description: 'Read queries and subscribe to progress.' },
    ADMIN: { value: 'ADMIN', description: 'Everything a viewer may, plus every mutation.' },
  } as const,
});

builder.node(AccountEntity, {
  name: 'Account',
  description: 'A tenant. Its OpenAI key is never readable through the API.',
  id: { resolve: (account) => account.id },
  // Only the caller's own account is reachable.
  loadMany: async (ids, context) => {
    const own = await context.services.accounts.findAccount(context.principal.accountId);
    return ids.map((id) => (isUuid(id) && own?.id === id ? own : null));
  },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name of the account.' }),
    openaiConnected: t.boolean({
      description: 'Whether the account has an OpenAI API key configured (the key itself is never shown).',
      resolve: (account) => account.openaiApiKeyEncrypted !== null,
    }),
    openaiKeyRejection: t.string({
      nullable: true,
      description:
        'Set when OpenAI refused the account\'s API key on the last sync: the reason, e.g. "OpenAI rejected the API key of account Acme (invalid_api_key)". Scheduled syncs wait until the key changes; a manual sync tries again.',
      resolve: (account) =>
        account.openaiKeyRejectedAt === null
          ? null
          : apiKeyRejectedMessage(account.name, account.openaiKeyRejectionCode ?? 'unknown'),
    }),
    emulated: t.boolean({
      description: 'True when the account talks to an OpenAI emulator rather than api.openai.com.',
      resolve: (account) =>
        account.openaiBaseUrl !== null && !/(^|\.)openai\.com$/.test(new URL(account.openaiBaseUrl).hostname),
    }),
    syncSchedule: t.exposeString('syncSchedule', {
      description: 'Cron expression of the scheduled sync (croner syntax), e.g. `*/5 * * * *`.',
    }),
    orphanGraceHours: t.exposeInt('orphanGraceHours', {
      description: 'Files attached to no store count as orphans only once older than this.',
    }),
    openaiBaseUrl: t.string({
      nullable: true,
      description: 'The OpenAI-compatible base URL the account talks to; null means api.openai.com.',
      resolve: (account) => account.openaiBaseUrl,
    }),
  }),
});

const Viewer = builder.objectRef<{ role: 'VIEWER' | 'ADMIN'; accountId: string }>('Viewer').implement({
  description: 'The caller: its role and account.',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, description: "The token's role.", resolve: (v) => v.role }),
    account: t.field({
      type: AccountEntity,
      description: 'The account the token belongs to.',
      resolve: async (v, _args, context) => {
        const account = await context.services.accounts.findAccount(v.accountId);
        if (!account) throw new Error('The account of a valid token is missing');
        return account;
      },
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    description: 'Who is asking.',
    authScopes: { viewer: true },
    resolve: (_root, _args, context) => context.principal,
  }),
);
