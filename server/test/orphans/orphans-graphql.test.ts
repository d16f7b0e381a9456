import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asMirrorWriter } from '../../src/db/mirror-writer.ts';
import { GIB } from '../../src/domain/storage-cost.ts';
import { createAccount, createToken, createVectorStore } from '../factories/index.ts';
import { createFile, linkFile } from '../factories/orphans.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let api: TestApp;
let viewerToken: string;
let otherToken: string;
let accountId: string;
const now = new Date('2026-02-01T00:00:00.000Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const myOrphans: Array<{ filename: string; bytes: number }> = [];

const ORPHANS = `query($first: Int, $after: String) {
  orphanFiles(first: $first, after: $after) {
    totalCount
    totalBytes
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id filename bytes purpose source externalId createdAt ageSeconds ageHours file { id } } }
  }
}`;

type OrphanNode = {
  id: string;
  filename: string;
  bytes: number;
  ageHours: number;
  ageSeconds: number;
  file: { id: string };
};
type OrphansResult = {
  orphanFiles: {
    totalCount: number;
    totalBytes: number;
    pageInfo: { hasNextPage: boolean; endCursor: string };
    edges: Array<{ node: OrphanNode }>;
  };
};

beforeAll(async () => {
  database = await createTestDatabase();
  api = createTestApp(database, { clock: () => now });
  const db = database.dataSource;
  const account = await createAccount(db, { name: 'Acme' });
  accountId = account.id;
  viewerToken = await createToken(db, account.id, 'VIEWER');
  const other = await createAccount(db, { name: 'Other' });
  otherToken = await createToken(db, other.id, 'VIEWER');

  const store = await createVectorStore(db, account.id, { source: 'cache', usageBytes: 3 * GIB });
  await createVectorStore(db, account.id, { source: 'cache', usageBytes: GIB, expirationDays: 7 });
  for (let i = 0; i < 7; i++) {
    const file = await createFile(db, account.id, {
      filename: `orphan-${i}.pdf`,
      bytes: 1000 * (i + 1),
      purpose: i % 2 ? 'user_data' : 'assistants',
      fileCreatedAt: daysAgo(10 - i),
    });
    myOrphans.push(file);
  }
  const attached = await createFile(db, account.id, { filename: 'attached.pdf', fileCreatedAt: daysAgo(30) });
  await linkFile(db, store.id, attached.id);
  await createFile(db, account.id, { filename: 'fresh.pdf', fileCreatedAt: daysAgo(0.5) });
  await createFile(db, other.id, { filename: 'secret-of-other.pdf', fileCreatedAt: daysAgo(40) });
});

afterAll(async () => database.drop());

describe('Query.orphanFiles', () => {
  it('lists a viewer’s orphans oldest first, with totals and ages', async () => {
    const { body } = await api.graphql<OrphansResult>(ORPHANS, {
      token: viewerToken,
      variables: { first: 3 },
    });
    expect(body.errors).toBeUndefined();
    const page = body.data!.orphanFiles;
    expect(page.totalCount).toBe(7);
    expect(page.totalBytes).toBe(myOrphans.reduce((sum, f) => sum + f.bytes, 0));
    expect(page.edges.map((e) => e.node.filename)).toEqual(['orphan-0.pdf', 'orphan-1.pdf', 'orphan-2.pdf']);
    const first = page.edges[0]!.node;
    expect(first.ageHours).toBe(240);
    expect(first.ageSeconds).toBe(240 * 3600);
    expect(first.id).toBe(first.file.id); // usable with node() and deleteOrphanFiles
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('walks every orphan exactly once across pages', async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const response = await api.graphql<OrphansResult>(ORPHANS, {
        token: viewerToken,
        variables: { first: 2, after },
      });
      const page: OrphansResult['orphanFiles'] = response.body.data!.orphanFiles;
      names.push(...page.edges.map((e) => e.node.filename));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(names).toEqual(myOrphans.map((f) => f.filename));
  });

  it('never lists another account’s orphans, and theirs are theirs alone', async () => {
    const { body } = await api.graphql<OrphansResult>(ORPHANS, {
      token: otherToken,
      variables: { first: 100 },
    });
    expect(body.data!.orphanFiles.edges.map((e) => e.node.filename)).toEqual(['secret-of-other.pdf']);
    expect(body.data!.orphanFiles.totalCount).toBe(1);

    const mine = await api.graphql<OrphansResult>(ORPHANS, { token: viewerToken, variables: { first: 100 } });
    const names = mine.body.data!.orphanFiles.edges.map((e) => e.node.filename);
    expect(names).not.toContain('secret-of-other.pdf');
    expect(names).not.toContain('attached.pdf');
    expect(names).not.toContain('fresh.pdf');
  });

  it('an orphan’s id resolves through node() only in its own account', async () => {
    const { body } = await api.graphql<OrphansResult>(ORPHANS, {
      token: viewerToken,
      variables: { first: 1 },
    });
    const id = body.data!.orphanFiles.edges[0]!.node.id;
    const query = `query($id: ID!) { node(id: $id) { ... on FileObject { filename } } }`;
    const own = await api.graphql<{ node: { filename: string } | null }>(query, {
      token: viewerToken,
      variables: { id },
    });
    expect(own.body.data!.node).toEqual({ filename: 'orphan-0.pdf' });
    const foreign = await api.graphql<{ node: unknown }>(query, { token: otherToken, variables: { id } });
    expect(foreign.body.data!.node).toBeNull();
  });

  it('needs a token', async () => {
    const { status, body } = await api.graphql(ORPHANS, { token: null });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('storage cost and costly stores', () => {
  it('reports billed bytes, stores without expiration and the daily cost', async () => {
    const { body } = await api.graphql<{ storageCost: Record<string, number> }>(
      `{ storageCost { storesWithoutExpiration bytesWithoutExpiration totalUsageBytes freeBytes billableBytes estimatedDailyCostUsd } }`,
      { token: viewerToken },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.storageCost).toEqual({
      storesWithoutExpiration: 1,
      bytesWithoutExpiration: 3 * GIB,
      totalUsageBytes: 4 * GIB,
      freeBytes: GIB,
      billableBytes: 3 * GIB,
      estimatedDailyCostUsd: expect.closeTo(0.3, 12),
    });
  });

  it('flags costly stores and describes their expiration policy', async () => {
    const { body } = await api.graphql<{
      vectorStores: {
        edges: Array<{
          node: {
            costlyWithoutExpiration: boolean;
            expirationPolicy: {
              kind: string;
              days: number | null;
              openai: string | null;
              description: string;
            };
          };
        }>;
      };
    }>(
      `{ vectorStores(first: 10, orderBy: { field: USAGE_BYTES, direction: DESC }) {
          edges { node { costlyWithoutExpiration expirationPolicy { kind days openai description } } } } }`,
      { token: viewerToken },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.vectorStores.edges.map((e) => e.node)).toEqual([
      {
        costlyWithoutExpiration: true,
        expirationPolicy: { kind: 'NEVER', days: null, openai: null, description: 'Never expires' },
      },
      {
        costlyWithoutExpiration: false,
        expirationPolicy: {
          kind: 'AFTER_INACTIVITY',
          days: 7,
          openai: '{"anchor":"last_active_at","days":7}',
          description: 'Expires after 7 days of inactivity',
        },
      },
    ]);
  });

  it("gives each store's daily cost on its own: usage at $0.10 per GiB when billed, else 0", async () => {
    const local = await createVectorStore(database.dataSource, accountId, { usageBytes: 2 * GIB });
    const expired = await createVectorStore(database.dataSource, accountId, {
      source: 'cache',
      status: 'expired',
      usageBytes: 5 * GIB,
    });
    const { body } = await api.graphql<{
      vectorStores: { edges: Array<{ node: { usageBytes: number; estimatedDailyCostUsd: number } }> };
    }>(
      `{ vectorStores(first: 10, orderBy: { field: USAGE_BYTES, direction: DESC }) {
          edges { node { usageBytes estimatedDailyCostUsd } } } }`,
      { token: viewerToken },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.vectorStores.edges.map((e) => e.node)).toEqual([
      { usageBytes: 5 * GIB, estimatedDailyCostUsd: 0 }, // expired: no longer billed
      { usageBytes: 3 * GIB, estimatedDailyCostUsd: expect.closeTo(0.3, 12) },
      { usageBytes: 2 * GIB, estimatedDailyCostUsd: 0 }, // local: OpenAI bills nothing
      { usageBytes: GIB, estimatedDailyCostUsd: expect.closeTo(0.1, 12) },
    ]);
    // The expired one is a mirror: only a transaction that speaks for the sync may remove it.
    await asMirrorWriter(database.dataSource, 'sync', (manager) =>
      manager.query(`DELETE FROM vector_store WHERE id = ANY($1)`, [[local.id, expired.id]]),
    );
  });
});
