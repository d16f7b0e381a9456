import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createToken } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let api: TestApp;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  api = createTestApp(database);
  token = await createToken(database.dataSource, (await createAccount(database.dataSource)).id, 'VIEWER');
});

afterAll(async () => database.drop());

describe('GraphQL over HTTP (graphql-http server audit)', () => {
  const audits = serverAudits({
    url: 'http://localhost/graphql',
    // The real endpoint, as a client holding a token reaches it.
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return api.app.fetch(input as string, { ...init, headers });
    },
  });

  it('has MUST audits to run', () => {
    expect(audits.filter((a) => a.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });

  for (const audit of audits.filter((a) => a.name.startsWith('MUST'))) {
    it(audit.name, async () => {
      const result = await audit.fn();
      expect(result.status, 'reason' in result ? String(result.reason) : '').toBe('ok');
    });
  }
});
