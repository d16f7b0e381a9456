import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createToken, createVectorStore } from './factories/index.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let database: TestDatabase;
let api: TestApp;
let viewerToken: string;
let otherToken: string;
let mirrorId: string;
let localId: string;

const STORES = `query($filter: VectorStoreFilter, $first: Int, $after: String, $last: Int, $before: String, $orderBy: VectorStoreOrder) {
  vectorStores(filter: $filter, first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name source backend status readOnly externalId expirationPolicy { kind days } } }
  }
}`;

type StoresResult = {
  vectorStores: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    edges: Array<{ node: { id: string; name: string; source: string; readOnly: boolean } }>;
  };
};

beforeAll(async () => {
  database = await createTestDatabase();
  api = createTestApp(database);
  const account = await createAccount(database.dataSource, { name: 'Acme' });
  viewerToken = await createToken(database.dataSource, account.id, 'VIEWER');
  const other = await createAccount(database.dataSource, { name: 'Other' });
  otherToken = await createToken(database.dataSource, other.id, 'ADMIN');
  const db = database.dataSource;
  const base = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < 25; i++) {
    const mirror = i % 5 === 0;
    const store = await createVectorStore(db, account.id, {
      name: mirror ? `Mirror ${i}` : `Local ${i}`,
      ...(mirror ? { source: 'cache', backend: 'openai' } : {}),
      status: i === 3 ? 'expired' : 'completed',
      expirationDays: i === 7 ? 7 : null,
      createdAt: new Date(base + i * 1000),
    });
    if (i === 0) mirrorId = store.id;
    if (i === 1) localId = store.id;
  }
  await createVectorStore(db, other.id, { name: 'Secret of another account' });
});

afterAll(async () => database.drop());

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED without a token or with an unknown one', async () => {
    for (const token of [null, 'vsa_not-a-real-token']) {
      const { status, body } = await api.graphql('{ viewer { role } }', { token });
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
    }
  });

  it('tells the caller its role and account', async () => {
    const { body } = await api.graphql<{ viewer: { role: string; account: { name: string } } }>(
      '{ viewer { role account { id name } } }',
      { token: viewerToken },
    );
    expect(body.data?.viewer).toMatchObject({ role: 'VIEWER', account: { name: 'Acme' } });
  });
});

describe('vectorStores', () => {
  it('lists the account stores newest first with totalCount, never another account', async () => {
    const { body } = await api.graphql<StoresResult>(STORES, { token: viewerToken, variables: { first: 5 } });
    const page = body.data!.vectorStores;
    expect(page.totalCount).toBe(25);
    expect(page.edges.map((e) => e.node.name)).toEqual([
      'Local 24',
      'Local 23',
      'Local 22',
      'Local 21',
      'Mirror 20',
    ]);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('filters by source, status and search', async () => {
    const mirrors = await api.graphql<StoresResult>(STORES, {
      token: viewerToken,
      variables: { filter: { source: 'CACHE' }, first: 100 },
    });
    expect(mirrors.body.data!.vectorStores.totalCount).toBe(5);
    expect(
      mirrors.body.data!.vectorStores.edges.every((e) => e.node.source === 'CACHE' && e.node.readOnly),
    ).toBe(true);

    const expired = await api.graphql<StoresResult>(STORES, {
      token: viewerToken,
      variables: { filter: { status: 'EXPIRED' } },
    });
    expect(expired.body.data!.vectorStores.edges.map((e) => e.node.name)).toEqual(['Local 3']);

    const search = await api.graphql<StoresResult>(STORES, {
      token: viewerToken,
      variables: { filter: { search: 'local 1', backend: 'LOCAL' }, first: 100 },
    });
    expect(search.body.data!.vectorStores.edges.map((e) => e.node.name).sort()).toEqual(
      [
        'Local 1',
        'Local 11',
        'Local 12',
        'Local 13',
        'Local 14',
        'Local 16',
        'Local 17',
        'Local 18',
        'Local 19',
      ].sort(),
    );
  });

  it('treats LIKE wildcards in search as plain characters', async () => {
    const { body } = await api.graphql<StoresResult>(STORES, {
      token: viewerToken,
      variables: { filter: { search: '%' } },
    });
    expect(body.data!.vectorStores.totalCount).toBe(0);
  });

  it('pages forwards and backwards over every store exactly once', async () => {
    const forward: string[] = [];
    let after: string | undefined;
    for (;;) {
      const { body } = await api.graphql<StoresResult>(STORES, {
        token: viewerToken,
        variables: { first: 7, after, orderBy: { field: 'NAME', direction: 'ASC' } },
      });
      const page = body.data!.vectorStores;
      forward.push(...page.edges.map((e) => e.node.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual([...forward].sort());
    expect(new Set(forward).size).toBe(25);

    const backward: string[] = [];
    let before: string | undefined;
    for (;;) {
      const { body } = await api.graphql<StoresResult>(STORES, {
        token: viewerToken,
        variables: { last: 6, before, orderBy: { field: 'NAME', direction: 'ASC' } },
      });
      const page = body.data!.vectorStores;
      backward.unshift(...page.edges.map((e) => e.node.name));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(forward);
  });

  it('refuses a malformed cursor with a clear error', async () => {
    const { body } = await api.graphql(STORES, { token: viewerToken, variables: { after: 'garbage' } });
    expect(body.errors?.[0]?.message).toMatch(/cursor/i);
  });
});

describe('vectorStore and node', () => {
  it('finds a store by global id through vectorStore and node', async () => {
    const list = await api.graphql<StoresResult>(STORES, {
      token: viewerToken,
      variables: { filter: { source: 'CACHE' }, first: 100 },
    });
    const id = list.body.data!.vectorStores.edges.find((e) => e.node.name === 'Mirror 0')!.node.id;
    const { body } = await api.graphql<{
      vectorStore: { name: string };
      node: { __typename: string; name: string };
    }>(
      `query($id: ID!) { vectorStore(id: $id) { name } node(id: $id) { __typename ... on VectorStore { name } } }`,
      { token: viewerToken, variables: { id } },
    );
    expect(body.data).toEqual({
      vectorStore: { name: 'Mirror 0' },
      node: { __typename: 'VectorStore', name: 'Mirror 0' },
    });
    expect(Buffer.from(id, 'base64').toString()).toBe(`VectorStore:${mirrorId}`);
  });

  it("answers null for another account's store, exactly as for a missing one", async () => {
    const id = Buffer.from(`VectorStore:${localId}`).toString('base64');
    const { body } = await api.graphql(
      `query($id: ID!) { vectorStore(id: $id) { name } node(id: $id) { id } }`,
      { token: otherToken, variables: { id } },
    );
    expect(body).toEqual({ data: { vectorStore: null, node: null } });
    const missing = Buffer.from('VectorStore:00000000-0000-4000-8000-000000000000').toString('base64');
    const none = await api.graphql(`query($id: ID!) { vectorStore(id: $id) { name } node(id: $id) { id } }`, {
      token: otherToken,
      variables: { id: missing },
    });
    expect(none.body).toEqual(body);
  });
});
