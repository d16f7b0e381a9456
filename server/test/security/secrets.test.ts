import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded-postgres.ts';
import { startEmulator } from '../../src/emulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { children, startServer, waitForHealth } from '../support/server-process.ts';

let database: TestDatabase | undefined;
let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await emulator?.close();
  await database?.drop();
});

describe('secrets', () => {
  it('never appear in a response, a log line or the database in clear', async () => {
    database = await createTestDatabase();
    emulator = await startEmulator({ port: 0 });
    const openaiKey = `sk-proj-${randomBytes(16).toString('hex')}`;
    const adminToken = `admin-${randomBytes(16).toString('hex')}`;
    emulator.emulator.seed({ apiKey: openaiKey, stores: 3, filesPerStore: 2 });
    const port = await freePort();
    const server = await startServer({
      PORT: String(port),
      DATABASE_URL: database.url,
      OPENAI_API_KEY: openaiKey,
      OPENAI_BASE_URL: emulator.url,
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'debug',
    });
    await waitForHealth(port, server.exited);

    const responses: string[] = [];
    const ask = async (query: string, token: string | null = adminToken) => {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query }),
      });
      responses.push(JSON.stringify([...response.headers]), await response.text());
    };
    await ask('{ viewer { role account { id name openaiConnected openaiBaseUrl emulated } } }');
    await ask('{ __type(name: "Account") { fields { name } } }');
    await ask('{ viewer { role } }', `${adminToken}-wrong`);
    await ask('{ nope }');
    await ask('mutation { createVectorStore(input: { name: "" }) { __typename } }');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0); // a graceful stop, on an external database too

    const everything = [...responses, server.output()].join('\n');
    expect(responses.join('')).toContain('openaiConnected":true'); // the requests did run
    expect(everything).not.toContain(openaiKey);
    expect(everything).not.toContain(openaiKey.slice(8)); // nor a recognisable part of it
    expect(everything).not.toContain(adminToken);
    expect(responses[3]).not.toMatch(/apiKey|openaiApiKey/i);

    const [account] = await database.dataSource.query(
      `SELECT openai_api_key_encrypted AS sealed FROM account`,
    );
    expect(account.sealed).toMatch(/^v2\./);
    expect(account.sealed).not.toContain(openaiKey);
    const tokens: Array<{ token_hash: string }> = await database.dataSource.query(
      `SELECT token_hash FROM api_token`,
    );
    expect(tokens.map((t) => t.token_hash)).not.toContain(adminToken);
    expect(tokens.every((t) => /^[0-9a-f]{64}$/.test(t.token_hash))).toBe(true);
  });
});
