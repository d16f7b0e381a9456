import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../src/auth/secret-box.ts';
import { AccountService } from '../src/services/account.service.ts';
import { createTestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const SECRET = 'cli-test-secret-cli-test-secret-cli';
let database: TestDatabase;

/** Runs `pnpm cli …` as a person would, on the test database. */
function cli(
  args: string[],
  stdin = '',
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/cli.ts', ...args], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { ...process.env, DATABASE_URL: database.url, SECRET_KEY: SECRET, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.stdin.end(stdin);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

describe('server CLI', () => {
  it('creates an account with an encrypted OpenAI key, issues and revokes tokens', async () => {
    const key = 'sk-cli-test-0123456789abcdef';
    const created = await cli(
      [
        'accounts',
        'create',
        '--name',
        'Acme',
        '--openai-base-url',
        'http://127.0.0.1:9/v1',
        '--openai-key-stdin',
      ],
      `${key}\n`,
    );
    expect(created.code).toBe(0);
    const accountId = created.stdout.match(/account (\S+)/)![1]!;
    const adminToken = created.stdout.match(/admin token \(shown once\): (\S+)/)![1]!;
    expect(created.stdout + created.stderr).not.toContain(key);

    const services = new AccountService(database.dataSource, new SecretBox(SECRET));
    const account = (await services.findAccount(accountId))!;
    expect(account.openaiApiKeyEncrypted).not.toContain(key);
    expect(services.openaiConnection(account)).toEqual({
      apiKey: key,
      baseURL: 'http://127.0.0.1:9/v1',
      project: null,
    });

    const listed = await cli(['accounts', 'list']);
    expect(listed.stdout).toContain(`${accountId}  Acme  (http://127.0.0.1:9/v1)`);

    const issued = await cli([
      'tokens',
      'issue',
      '--account',
      accountId,
      '--role',
      'VIEWER',
      '--name',
      'dashboard',
    ]);
    const viewerToken = issued.stdout.match(/VIEWER token \(shown once\): (\S+)/)![1]!;
    const api = createTestApp(database);
    const ask = (token: string) =>
      api.graphql<{ viewer: { role: string } }>('{ viewer { role } }', { token });
    expect((await ask(viewerToken)).body.data?.viewer.role).toBe('VIEWER');
    expect((await ask(adminToken)).body.data?.viewer.role).toBe('ADMIN');

    const tokens = await cli(['tokens', 'list', '--account', accountId]);
    expect(tokens.code, tokens.stderr).toBe(0);
    const viewerId = tokens.stdout
      .split('\n')
      .find((line) => line.includes('dashboard'))!
      .split(' ')[0]!;
    expect((await cli(['tokens', 'revoke', '--id', viewerId])).code).toBe(0);
    expect((await ask(viewerToken)).status).toBe(401);
    expect((await ask(adminToken)).status).toBe(200);

    // Each change is in the account's audit log, by the CLI's user, with no key and no token in it.
    const events = await database.dataSource.query(
      `SELECT kind, actor_kind, actor_name, actor_token_id, targets, summary, outcome
         FROM audit_event WHERE account_id = $1 ORDER BY occurred_at, kind`,
      [accountId],
    );
    const actor = { actor_kind: 'CLI', actor_name: `cli:${os.userInfo().username}`, actor_token_id: null };
    expect(events).toMatchObject([
      {
        kind: 'CREATE_ACCOUNT',
        ...actor,
        summary: { name: 'Acme', openaiKeySet: true, openaiBaseUrl: 'http://127.0.0.1:9/v1' },
        outcome: 'SUCCEEDED',
      },
      {
        kind: 'ISSUE_TOKEN',
        ...actor,
        summary: { role: 'VIEWER', name: 'dashboard' },
        targets: [
          { type: 'Account', id: accountId },
          { type: 'ApiToken', id: viewerId },
        ],
        outcome: 'SUCCEEDED',
      },
      { kind: 'REVOKE_TOKEN', ...actor, targets: [{ type: 'ApiToken', id: viewerId }], outcome: 'SUCCEEDED' },
    ]);
    const again = await cli(['tokens', 'revoke', '--id', viewerId]);
    expect(again.code).toBe(1);
    const [last] = await database.dataSource.query(
      `SELECT kind, outcome, error_type FROM audit_event WHERE account_id = $1 ORDER BY occurred_at DESC LIMIT 1`,
      [accountId],
    );
    expect(last).toEqual({ kind: 'REVOKE_TOKEN', outcome: 'FAILED', error_type: 'AlreadyRevoked' });
    const dump: string = (
      await database.dataSource.query(`SELECT string_agg(e::text, '\n') AS dump FROM audit_event e`)
    )[0].dump;
    for (const secret of [key, adminToken, viewerToken]) expect(dump).not.toContain(secret);
  });

  it('explains its usage for an unknown command and refuses bad arguments', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/accounts[\s\S]*tokens[\s\S]*sync/);
    const badRole = await cli(['tokens', 'issue', '--account', 'x', '--role', 'ROOT']);
    expect(badRole.code, badRole.stderr).toBe(2);
  });
});

describe('cli secrets rekey', () => {
  const NEW_SECRET = 'rotated-secret-rotated-secret-rotated';

  it('re-encrypts every key with the current SECRET_KEY when given the old one, all or nothing', async () => {
    const old = new AccountService(database.dataSource, new SecretBox(SECRET));
    const account = await old.createAccount({ name: 'To rekey', openaiApiKey: 'sk-rekey-me' });
    const sealedBefore = account.openaiApiKeyEncrypted;

    // Without the old key nothing opens, and nothing is written.
    const refused = await cli(['secrets', 'rekey'], '', { SECRET_KEY: NEW_SECRET });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Nothing was changed/);
    expect((await old.findAccount(account.id))!.openaiApiKeyEncrypted).toBe(sealedBefore);

    const rekeyed = await cli(['secrets', 'rekey', '--old-key-stdin'], `${SECRET}\n`, {
      SECRET_KEY: NEW_SECRET,
    });
    expect(rekeyed.code).toBe(0);
    expect(rekeyed.stdout).toMatch(/Re-encrypted \d+ OpenAI key/);
    expect(rekeyed.stdout + rekeyed.stderr).not.toContain(SECRET);
    expect(rekeyed.stdout + rekeyed.stderr).not.toContain('sk-rekey-me');

    const fresh = new AccountService(database.dataSource, new SecretBox(NEW_SECRET));
    const after = (await fresh.findAccount(account.id))!;
    expect(after.openaiApiKeyEncrypted).toMatch(new RegExp(`^v2\\.${new SecretBox(NEW_SECRET).keyId}\\.`));
    expect(fresh.openaiConnection(after)?.apiKey).toBe('sk-rekey-me');
    expect(() => old.openaiConnection(after)).toThrow(/another SECRET_KEY/);

    // Both attempts are audited as server-wide events; neither secret nor key is in them.
    const events = await database.dataSource.query(
      `SELECT account_id, actor_kind, outcome, error_type, summary, e::text AS row
         FROM audit_event e WHERE kind = 'REKEY_SECRETS' ORDER BY occurred_at`,
    );
    expect(events).toMatchObject([
      { account_id: null, actor_kind: 'CLI', outcome: 'FAILED', error_type: 'SecretDecryptionError' },
      { account_id: null, actor_kind: 'CLI', outcome: 'SUCCEEDED', error_type: null },
    ]);
    for (const secret of [SECRET, NEW_SECRET, 'sk-rekey-me'])
      expect(events.map((e: { row: string }) => e.row).join('\n')).not.toContain(secret);
  });
});
