import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashToken } from '../../src/auth/token.ts';
import { createAccount, createToken } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const SUBSCRIPTION = 'subscription { syncProgress { sequence } }';
let database: TestDatabase;
let api: TestApp;
let accountId: string;

let server: Server;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase();
  api = createTestApp(database, {}, { subscriptions: { perToken: 2, revocationCheckMs: 20 } });
  accountId = (await createAccount(database.dataSource)).id;
  // Over a real connection: a client that goes away is seen as a closed socket, as in production.
  server = createServer(api.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.drop();
});

/** Opens a `syncProgress` stream over SSE; the response arrives once the subscription is set up. */
async function subscribe(token: string) {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query: SUBSCRIPTION }),
    signal: abort.signal,
  });
  return { response, close: () => abort.abort() };
}

/** Reads an SSE body to its end and returns its text. */
async function readToEnd(response: Response): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) text += decoder.decode(chunk, { stream: true });
  return text;
}

describe('subscriptions per token', () => {
  it('refuses one past the cap with 429, and admits one again once a stream closed', async () => {
    const token = await createToken(database.dataSource, accountId, 'VIEWER');
    const first = await subscribe(token);
    const second = await subscribe(token);
    expect([first.response.status, second.response.status]).toEqual([200, 200]);

    const third = await subscribe(token);
    expect(third.response.status).toBe(429);
    expect(await third.response.text()).toContain('TOO_MANY_SUBSCRIPTIONS');

    // Another token has its own allowance.
    const other = await subscribe(await createToken(database.dataSource, accountId, 'VIEWER'));
    expect(other.response.status).toBe(200);
    other.close();

    first.close();
    // The server notices the closed connection on its own time: ask until the slot is free again.
    await vi.waitFor(
      async () => {
        const again = await subscribe(token);
        again.close();
        expect(again.response.status).toBe(200);
      },
      { timeout: 10_000 },
    );
    second.close();
  });

  it('ends the open streams of a token when it is revoked', async () => {
    const token = await createToken(database.dataSource, accountId, 'VIEWER');
    const stream = await subscribe(token);
    expect(stream.response.status).toBe(200);
    const [{ id }] = await database.dataSource.query(`SELECT id FROM api_token WHERE token_hash = $1`, [
      hashToken(token),
    ]);
    const ended = readToEnd(stream.response);
    expect(await api.services.accounts.revokeToken(id)).toBe(true);
    // The stream completes by itself (no client abort): the revocation closed it.
    expect(await ended).toContain('event: complete');
    expect((await subscribe(token)).response.status).toBe(401);
  });
});
