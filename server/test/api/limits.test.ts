import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_QUERY, PAGE_QUERY_WITH_VARIABLES } from '../../bench/api.ts';
import { createApp } from '../../src/app.ts';
import { createRateLimits } from '../../src/http/rate-limits.ts';
import { MAX_QUERY_COST } from '../../src/graphql/builder.ts';
import { createServices } from '../../src/services/index.ts';
import { createAccount, createToken, testSecrets } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let api: TestApp;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  api = createTestApp(database);
  const account = await createAccount(database.dataSource);
  token = await createToken(database.dataSource, account.id, 'VIEWER');
});

afterAll(async () => database.drop());

const refusal = async (query: string) => {
  const { body } = await api.graphql(query, { token });
  expect(body.data).toBeUndefined();
  return body.errors?.map((e) => e.message).join(' | ') ?? '';
};

describe('document limits, refused before execution', () => {
  it('refuses a query deeper than 10, and accepts the deepest real one', async () => {
    const real = `{ vectorStores { edges { node { files { edges { node { file { filename } } } } } } } }`;
    expect((await api.graphql(real, { token })).body.errors).toBeUndefined();
    const deep = `{ viewer { account { a { b { c { d { e { f { g { h { i } } } } } } } } } } }`;
    expect(await refusal(deep)).toMatch(/depth/i);
  });

  it('refuses more than 15 aliases', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: viewer { role }`).join(' ');
    expect(await refusal(`{ ${aliases} }`)).toMatch(/alias/i);
  });

  it('refuses more than 10 directives', async () => {
    const directives = Array.from({ length: 11 }, () => '@include(if: true)').join(' ');
    expect(await refusal(`{ viewer ${directives} { role } }`)).toMatch(/directive/i);
  });

  it('refuses more than 2000 tokens', async () => {
    const fields = Array.from({ length: 2100 }, () => 'role').join(' ');
    expect(await refusal(`{ viewer { ${fields} } }`)).toMatch(/token/i);
  });

  // 100 stores with 100 files each: 1 + 100 × (edges 1 + node 1 + files (1 + 100 × 7)) ≈ 70,000.
  const HEAVY = `query($stores: Int, $files: Int) {
    vectorStores(first: $stores) { edges { node { files(first: $files) {
      edges { node { file { filename bytes purpose } status usageBytes } } } } } } }`;
  const HEAVY_LITERAL = HEAVY.replace(/^query\([^)]*\)/, '')
    .replace('$stores', '100')
    .replace('$files', '100');

  it('refuses an over-budget query whether its page sizes are literals or variables', async () => {
    expect(await refusal(HEAVY_LITERAL)).toMatch(/cost \d+ exceeds the limit of 20000/i);
    const { body } = await api.graphql(HEAVY, { token, variables: { stores: 100, files: 100 } });
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(body.errors?.[0]?.extensions?.cost).toBeGreaterThan(MAX_QUERY_COST);
  });

  it('prices the page, not the document: the same document with small pages passes', async () => {
    const { body } = await api.graphql(HEAVY, { token, variables: { stores: 20, files: 5 } });
    expect(body.errors).toBeUndefined();
  });

  it('prices each request by its own variables, though the price of a document is kept', async () => {
    for (const [stores, files, refused] of [
      [20, 5, false],
      [100, 100, true],
      [20, 5, false],
      [100, 100, true],
    ] as const) {
      const { body } = await api.graphql(HEAVY, { token, variables: { stores, files } });
      expect(body.errors?.[0]?.extensions?.code).toBe(refused ? 'QUERY_TOO_COSTLY' : undefined);
    }
  });

  it('accepts the list page of the benchmark, literal and with variables', async () => {
    for (const body of [
      (await api.graphql(PAGE_QUERY, { token })).body,
      (await api.graphql(PAGE_QUERY_WITH_VARIABLES, { token, variables: { first: 50, files: 5 } })).body,
    ]) {
      expect(body.errors).toBeUndefined();
    }
  });

  it('measures the operation that runs, not the first one of the document', async () => {
    const document = `query Cheap { viewer { role } } ${HEAVY.replace('query(', 'query Heavy(')}`;
    const response = await api.app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: document,
        operationName: 'Heavy',
        variables: { stores: 100, files: 100 },
      }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toMatch(/cost/i);
  });

  it('refuses many aliased pages that are cheap one by one', async () => {
    const wide = Array.from(
      { length: 14 },
      (_, i) =>
        `s${i}: vectorStores(first: 100) { edges { node { files(first: 20) { edges { node { file { filename bytes purpose } status usageBytes } } } } } }`,
    ).join(' ');
    expect(await refusal(`{ ${wide} }`)).toMatch(/cost/i);
  });

  it('does not suggest field names to a client that guesses', async () => {
    const message = await refusal('{ viewer { rol } }');
    expect(message).not.toMatch(/Did you mean/);
  });
});

describe('rate limits (kept in PostgreSQL)', () => {
  const ask = (app: ReturnType<typeof createApp>, bearer: string | null) =>
    app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });

  it('answers 429 with Retry-After past the burst, for that token only', async () => {
    const services = createServices(database.dataSource, testSecrets);
    const limited = createApp({
      services,
      logger: pino({ level: 'silent' }),
      rateLimit: createRateLimits(database.dataSource, {
        perSecond: 1,
        burst: 3,
        unauthenticatedPerMinute: 100,
      }),
    });
    const other = await createToken(
      database.dataSource,
      (await createAccount(database.dataSource)).id,
      'VIEWER',
    );
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await ask(limited, token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await ask(limited, token);
    // 3 requests per 3-second window: the wait is what is left of the window.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3);
    expect((await refused.json()).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await ask(limited, other)).status).toBe(200);
  });

  it('spends leased points locally, and two replicas together grant exactly the budget', async () => {
    // 100 per 100-second window: a lease is 5 points, so most requests make no database round trip.
    const options = { perSecond: 1, burst: 100, unauthenticatedPerMinute: 100 };
    const replicas = [
      createRateLimits(database.dataSource, options),
      createRateLimits(database.dataSource, options),
    ];
    let granted = 0;
    for (let i = 0; i < 250; i++) if ((await replicas[i % 2]!.takeForToken('lease-test')) === 0) granted += 1;
    expect(granted).toBe(100);
  });

  it('counts requests without a valid token per client address, and then refuses before the lookup', async () => {
    const services = createServices(database.dataSource, testSecrets);
    const limited = createApp({
      services,
      logger: pino({ level: 'silent' }),
      rateLimit: createRateLimits(database.dataSource, {
        perSecond: 100,
        burst: 100,
        unauthenticatedPerMinute: 2,
      }),
    });
    const statuses = [];
    for (const bearer of [null, 'vsa_wrong', 'vsa_wrong-again', null])
      statuses.push((await ask(limited, bearer)).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
    const [row] = await database.dataSource.query(
      `SELECT points FROM rate_limit WHERE key = 'address:unknown'`,
    );
    // The last refusal came from memory: it reached neither the token lookup nor the counter.
    expect(row.points).toBe(3);
    // Until the window ends the address is refused whatever it sends (no lookup for a brute force).
    expect((await ask(limited, token)).status).toBe(429);
  });
});

describe('request body limit', () => {
  it('refuses a JSON body over 1 MB with 413', async () => {
    const response = await api.app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
  });

  it('counts the bytes of a body sent without a length, and refuses it past 1 MB', async () => {
    const padded = new TextEncoder().encode(
      JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(1_100_000) } }),
    );
    const response = await api.app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < padded.length; at += 100_000)
            controller.enqueue(padded.subarray(at, at + 100_000));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it("answers bodies over Node's HTTP server, with a Content-Length or chunked", async () => {
    const server = createServer(api.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const post = (body: string, headers: Record<string, string>) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const client = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/graphql',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
          },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => resolve({ status: response.statusCode!, text }));
          },
        );
        client.on('error', reject);
        client.end(body);
      });
    try {
      const body = JSON.stringify({ query: '{ viewer { role } }' });
      const expected = { status: 200, text: JSON.stringify({ data: { viewer: { role: 'VIEWER' } } }) };
      expect(await post(body, { 'content-length': String(Buffer.byteLength(body)) })).toEqual(expected);
      expect(await post(body, { 'transfer-encoding': 'chunked' })).toEqual(expected);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
