import type { Logger } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createToken, createVectorStore } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let queries: string[] = [];
const counting: Logger = {
  logQuery: (query) => void queries.push(query),
  logQueryError: () => {},
  logQuerySlow: () => {},
  logSchemaBuild: () => {},
  logMigration: () => {},
  log: () => {},
};

let database: TestDatabase;
let api: TestApp;
let token: string;

const PAGE = `query($first: Int!) {
  vectorStores(first: $first) {
    totalCount
    edges { node { name fileCounts { total completed } files(first: 5) { edges { node { status file { filename bytes } } } } } }
  }
}`;

beforeAll(async () => {
  database = await createTestDatabase({ logger: counting });
  api = createTestApp(database);
  const account = await createAccount(database.dataSource);
  token = await createToken(database.dataSource, account.id, 'VIEWER');
  for (let s = 0; s < 30; s++) {
    const store = await createVectorStore(database.dataSource, account.id, { name: `S${s}` });
    await database.dataSource.query(
      `WITH f AS (
         INSERT INTO file (account_id, source, filename, bytes, purpose, file_created_at)
         SELECT $1, 'primary', 'f' || g || '.txt', g, 'assistants', now() FROM generate_series(1, 7) g RETURNING id)
       INSERT INTO vector_store_file (vector_store_id, file_id, status) SELECT $2, id, 'completed' FROM f`,
      [account.id, store.id],
    );
  }
});

afterAll(async () => database.drop());

async function sqlCountFor(first: number): Promise<number> {
  queries = [];
  const { body } = await api.graphql<{
    vectorStores: { edges: Array<{ node: { files: { edges: unknown[] } } }> };
  }>(PAGE, { token, variables: { first } });
  expect(body.data!.vectorStores.edges).toHaveLength(first);
  for (const edge of body.data!.vectorStores.edges) expect(edge.node.files.edges).toHaveLength(5);
  return queries.length;
}

describe('a page of stores with their first files', () => {
  it('costs the same number of SQL queries for 3 stores as for 30 (no N+1)', async () => {
    const small = await sqlCountFor(3);
    const large = await sqlCountFor(30);
    expect(large).toBe(small);
    // auth, page, count, first links with their files
    expect(large).toBeLessThanOrEqual(4);
  });
});

describe('page info', () => {
  it('tells whether another page follows, also when asked through fragments', async () => {
    const { body } = await api.graphql<{
      vectorStores: {
        pageInfo: { hasNextPage: boolean };
        edges: Array<{ node: { files: { pageInfo: { hasNextPage: boolean }; edges: unknown[] } } }>;
      };
    }>(
      `query($first: Int!) {
        vectorStores(first: $first) {
          ...More
          edges { node { files(first: 5) { edges { cursor } ... on VectorStoreFileConnection { pageInfo { hasNextPage } } } } }
        }
      }
      fragment More on VectorStoreConnection { pageInfo { hasNextPage } }`,
      { token, variables: { first: 2 } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.vectorStores.pageInfo.hasNextPage).toBe(true);
    for (const { node } of body.data!.vectorStores.edges) {
      expect(node.files.edges).toHaveLength(5);
      expect(node.files.pageInfo.hasNextPage).toBe(true);
    }
  });
});

describe('a later page of a store’s files', () => {
  it('comes with each File in the query that reads the page', async () => {
    const STORE = `query($after: String) {
      vectorStores(first: 1) {
        edges { node { files(first: 3, after: $after) { edges { cursor node { file { filename bytes } } } } } }
      }
    }`;
    type Page = {
      vectorStores: {
        edges: Array<{
          node: { files: { edges: Array<{ cursor: string; node: { file: { filename: string } } }> } };
        }>;
      };
    };
    const first = await api.graphql<Page>(STORE, { token });
    const firstEdges = first.body.data!.vectorStores.edges[0]!.node.files.edges;
    queries = [];
    const next = await api.graphql<Page>(STORE, { token, variables: { after: firstEdges.at(-1)!.cursor } });
    expect(next.body.errors).toBeUndefined();
    const names = next.body.data!.vectorStores.edges[0]!.node.files.edges.map((e) => e.node.file.filename);
    const before = firstEdges.map((e) => e.node.file.filename);
    expect(names).toHaveLength(3);
    expect(new Set([...before, ...names]).size).toBe(6);
    for (const name of names) expect(name).toMatch(/^f[1-7]\.txt$/);
    // auth, page of stores, the store's later page of links joined with their Files
    expect(queries).toHaveLength(3);
  });
});

describe('what a page reads', () => {
  const LIST = `{
    vectorStores(first: 30) {
      edges { node { name status usageBytes files(first: 7) { edges { node { status usageBytes file { filename bytes } } } } } }
    }
  }`;
  const DETAILS = `{
    vectorStores(first: 30) {
      edges { node { name status usageBytes ...StoreDetails
        files(first: 7) { edges { node { status usageBytes ...LinkDetails file { filename bytes ...FileDetails } } } } } }
    }
  }
  fragment StoreDetails on VectorStore { description metadata { key value } updatedAt }
  fragment LinkDetails on VectorStoreFile { lastError { code message } attributes }
  fragment FileDetails on FileObject { purpose source createdAt }`;

  type Link = {
    status: string;
    usageBytes: number;
    file: { filename: string; bytes: number; purpose?: string; source?: string; createdAt?: string };
    lastError?: { code: string; message: string } | null;
    attributes?: string | null;
  };
  type Store = {
    name: string;
    status: string;
    usageBytes: number;
    description?: string | null;
    metadata?: Array<{ key: string; value: string }>;
    updatedAt?: string;
    files: { edges: Array<{ node: Link }> };
  };
  type Page = { vectorStores: { edges: Array<{ node: Store }> } };

  it('gets details asked for through fragments, and the same list fields either way', async () => {
    const db = database.dataSource;
    const [store] = await db.query(
      `UPDATE vector_store SET description = 'About S0', metadata = '{"team":"search"}' WHERE name = 'S0' RETURNING id`,
    );
    await db.query(
      `WITH one AS (SELECT file_id FROM vector_store_file WHERE vector_store_id = $1 ORDER BY created_at, file_id LIMIT 1),
            link AS (UPDATE vector_store_file SET status = 'failed', usage_bytes = 0, attributes = '{"k":"v"}',
                            last_error = '{"code":"unsupported_file","message":"Not a document"}'
                      WHERE vector_store_id = $1 AND file_id = (SELECT file_id FROM one))
       UPDATE file SET purpose = 'user_data' WHERE id = (SELECT file_id FROM one)`,
      [store[0].id],
    );

    const list = await api.graphql<Page>(LIST, { token });
    const details = await api.graphql<Page>(DETAILS, { token });
    expect(list.body.errors).toBeUndefined();
    expect(details.body.errors).toBeUndefined();

    const s0 = details.body.data!.vectorStores.edges.find((e) => e.node.name === 'S0')!.node;
    expect(s0.description).toBe('About S0');
    expect(s0.metadata).toEqual([{ key: 'team', value: 'search' }]);
    expect(Date.parse(s0.updatedAt!)).not.toBeNaN();
    const failed = s0.files.edges.map((e) => e.node).find((link) => link.status === 'FAILED')!;
    expect(failed.lastError).toEqual({ code: 'unsupported_file', message: 'Not a document' });
    expect(JSON.parse(failed.attributes!)).toEqual({ k: 'v' });
    expect(failed.file.purpose).toBe('user_data');
    expect(failed.file.source).toBe('PRIMARY');
    expect(Date.parse(failed.file.createdAt!)).not.toBeNaN();
    for (const { node } of details.body.data!.vectorStores.edges) {
      for (const { node: link } of node.files.edges) {
        expect(link.file.purpose).toMatch(/^(assistants|user_data)$/);
        if (link.status !== 'FAILED') expect(link.lastError).toBeNull();
      }
    }

    // The list fields are the same whether the details were read or not.
    const listFields = (page: Page) =>
      page.vectorStores.edges.map(({ node }) => ({
        name: node.name,
        status: node.status,
        usageBytes: node.usageBytes,
        files: node.files.edges.map(({ node: l }) => [l.status, l.usageBytes, l.file.filename, l.file.bytes]),
      }));
    expect(listFields(list.body.data!)).toEqual(listFields(details.body.data!));
  });
});
