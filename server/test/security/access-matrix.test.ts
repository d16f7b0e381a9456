import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VectorStoreEntity } from '../../src/db/entities/vector-store.entity.ts';
import { createAccount, createToken, createVectorStore } from '../factories/index.ts';
import { createFile } from '../factories/orphans.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { snapshotTables } from '../support/snapshot.ts';

let database: TestDatabase;
let api: TestApp;
const tokens = { viewer: '', admin: '', otherAdmin: '', otherViewer: '' };
/** The database ids of those tokens, as audit events name their actor. */
const tokenIds = { viewer: '', admin: '', otherAdmin: '', otherViewer: '' };
let accountId: string;
let otherAccountId: string;

interface AuditRow {
  id: string;
  summary: Record<string, unknown>;
  account_id: string | null;
  actor_kind: string;
  actor_token_id: string | null;
  actor_name: string;
  kind: string;
  targets: Array<{ type: string; id: string }>;
  outcome: string;
  error_type: string | null;
}

/** Runs `work` and returns the audit events it wrote. */
async function auditEventsOf(work: () => Promise<unknown>): Promise<AuditRow[]> {
  const before: Array<{ id: string }> = await database.dataSource.query(`SELECT id FROM audit_event`);
  await work();
  const rows: AuditRow[] = await database.dataSource.query(
    `SELECT * FROM audit_event WHERE NOT (id = ANY($1::uuid[]))`,
    [before.map((row) => row.id)],
  );
  return rows;
}
let local: VectorStoreEntity;
let mirror: VectorStoreEntity;
let otherStore: VectorStoreEntity;
let fileId: string;
let orphanId: string;
let runId: string;
let accountName: string;
let otherAccountName: string;

const GIB = 2 ** 30;
/** Each account's billed usage, different so that a leak of one into the other shows. */
const usage = { account: 3 * GIB, other: 1.5 * GIB };

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

interface Operation {
  name: string;
  document: string;
  variables: () => Record<string, unknown>;
}

/** Every query of the contract, asked about the first account's objects. */
const queries: Operation[] = [
  { name: 'viewer', document: '{ viewer { role account { id name } } }', variables: () => ({}) },
  {
    name: 'vectorStores',
    document: '{ vectorStores { totalCount edges { node { id } } } }',
    variables: () => ({}),
  },
  {
    name: 'vectorStore',
    document: 'query($id: ID!) { vectorStore(id: $id) { id } }',
    variables: () => ({ id: gid('VectorStore', local.id) }),
  },
  {
    name: 'node',
    document: 'query($id: ID!) { node(id: $id) { id } }',
    variables: () => ({ id: gid('VectorStore', mirror.id) }),
  },
  { name: 'syncRuns', document: '{ syncRuns { totalCount edges { node { id } } } }', variables: () => ({}) },
  {
    name: 'syncRun',
    document: 'query($id: ID!) { syncRun(id: $id) { id } }',
    variables: () => ({ id: gid('SyncRun', runId) }),
  },
  { name: 'orphanFiles', document: '{ orphanFiles { totalCount totalBytes } }', variables: () => ({}) },
  {
    name: 'storageCost',
    document:
      '{ storageCost { totalUsageBytes billableBytes storesWithoutExpiration bytesWithoutExpiration } }',
    variables: () => ({}),
  },
];

interface Mutation extends Operation {
  /** What an admin of the account gets, run in this order (each sees the effects of the ones before). */
  expected: () => Record<string, unknown>;
  /** The audit event's kind, and an object it must name as a target when an admin runs it. */
  audit: { kind: string; target?: () => { type: string; id: string }; summary?: Record<string, unknown> };
}

/** Every mutation of the contract (uploads are covered by the upload tests), on the first account. */
const mutations: Mutation[] = [
  {
    name: 'createVectorStore',
    audit: { kind: 'CREATE_VECTOR_STORE' },
    document:
      'mutation { createVectorStore(input: { name: "new" }) { __typename ... on VectorStorePayload { vectorStore { name source } } } }',
    variables: () => ({}),
    expected: () => ({ __typename: 'VectorStorePayload', vectorStore: { name: 'new', source: 'PRIMARY' } }),
  },
  {
    name: 'updateVectorStore',
    audit: { kind: 'UPDATE_VECTOR_STORE', target: () => ({ type: 'VectorStore', id: local.id }) },
    document:
      'mutation($id: ID!) { updateVectorStore(input: { id: $id, name: "x" }) { __typename ... on VectorStorePayload { vectorStore { id name } } } }',
    variables: () => ({ id: gid('VectorStore', local.id) }),
    expected: () => ({
      __typename: 'VectorStorePayload',
      vectorStore: { id: gid('VectorStore', local.id), name: 'x' },
    }),
  },
  {
    name: 'removeVectorStoreFile',
    audit: { kind: 'REMOVE_FILE', target: () => ({ type: 'FileObject', id: fileId }) },
    document: `mutation($s: ID!, $f: ID!) { removeVectorStoreFile(input: { vectorStoreId: $s, fileId: $f }) { __typename ... on RemoveVectorStoreFilePayload { removedFileId } } }`,
    variables: () => ({ s: gid('VectorStore', local.id), f: gid('FileObject', fileId) }),
    expected: () => ({
      __typename: 'RemoveVectorStoreFilePayload',
      removedFileId: gid('FileObject', fileId),
    }),
  },
  {
    name: 'startSync',
    audit: { kind: 'START_SYNC', target: () => ({ type: 'VectorStore', id: mirror.id }) },
    document:
      'mutation($id: ID) { startSync(input: { vectorStoreId: $id }) { __typename ... on SyncRun { scope vectorStore { id } } } }',
    variables: () => ({ id: gid('VectorStore', mirror.id) }),
    expected: () => ({
      __typename: 'SyncRun',
      scope: 'VECTOR_STORE',
      vectorStore: { id: gid('VectorStore', mirror.id) },
    }),
  },
  {
    name: 'setStorageQuota',
    audit: {
      kind: 'SET_STORAGE_QUOTA',
      target: () => ({ type: 'Account', id: accountId }),
      summary: { quotaBytes: 5e12 },
    },
    document:
      'mutation($q: Float!) { setStorageQuota(quotaBytes: $q) { __typename ... on Account { storageQuotaBytes } } }',
    variables: () => ({ q: 5e12 }),
    expected: () => ({ __typename: 'Account', storageQuotaBytes: 5e12 }),
  },
  {
    name: 'deleteOrphanFiles',
    audit: { kind: 'DELETE_ORPHAN_FILES', target: () => ({ type: 'FileObject', id: orphanId }) },
    document:
      'mutation($ids: [ID!]!) { deleteOrphanFiles(input: { ids: $ids }) { __typename ... on DeleteOrphanFilesPayload { queued } } }',
    variables: () => ({ ids: [gid('FileObject', orphanId)] }),
    expected: () => ({ __typename: 'DeleteOrphanFilesPayload', queued: 1 }),
  },
  {
    name: 'deleteVectorStore',
    audit: {
      kind: 'DELETE_VECTOR_STORE',
      target: () => ({ type: 'VectorStore', id: local.id }),
      // The store's name as it was when deleted (renamed "x" by updateVectorStore above).
      summary: { name: 'x' },
    },
    document:
      'mutation($id: ID!) { deleteVectorStore(input: { id: $id }) { __typename ... on DeleteVectorStorePayload { deletedVectorStoreId } } }',
    variables: () => ({ id: gid('VectorStore', local.id) }),
    expected: () => ({
      __typename: 'DeleteVectorStorePayload',
      deletedVectorStoreId: gid('VectorStore', local.id),
    }),
  },
];

beforeAll(async () => {
  database = await createTestDatabase();
  api = createTestApp(database);
  const db = database.dataSource;
  const account = await createAccount(db);
  const other = await createAccount(db);
  accountName = account.name;
  otherAccountName = other.name;
  tokens.viewer = await createToken(db, account.id, 'VIEWER');
  tokens.admin = await createToken(db, account.id, 'ADMIN');
  tokens.otherAdmin = await createToken(db, other.id, 'ADMIN');
  tokens.otherViewer = await createToken(db, other.id, 'VIEWER');
  for (const key of Object.keys(tokens) as Array<keyof typeof tokens>)
    tokenIds[key] = (await api.services.accounts.authenticate(tokens[key]))!.tokenId;
  accountId = account.id;
  otherAccountId = other.id;
  local = await createVectorStore(db, account.id, { name: 'local' });
  mirror = await createVectorStore(db, account.id, {
    source: 'cache',
    name: 'mirror',
    usageBytes: usage.account,
  });
  otherStore = await createVectorStore(db, other.id, {
    source: 'cache',
    usageBytes: usage.other,
    expirationDays: 7,
  });
  orphanId = (await createFile(db, account.id)).id;
  [{ id: fileId }] = await db.query(
    `INSERT INTO file (account_id, source, filename, bytes, purpose, file_created_at)
     VALUES ($1, 'primary', 'a.txt', 3, 'assistants', now()) RETURNING id`,
    [account.id],
  );
  await db.query(
    `INSERT INTO vector_store_file (vector_store_id, file_id, status) VALUES ($1, $2, 'completed')`,
    [local.id, fileId],
  );
  [{ id: runId }] = await db.query(
    `INSERT INTO sync_run (account_id, trigger, status, started_at, finished_at)
     VALUES ($1, 'MANUAL', 'SUCCEEDED', now(), now()) RETURNING id`,
    [account.id],
  );
});

afterAll(async () => database.drop());

describe.each<Operation>([...queries, ...mutations])('$name', (operation) => {
  const run = (token: string | null) =>
    api.graphql<Record<string, any>>(operation.document, { token, variables: operation.variables() });

  it('answers 401 UNAUTHENTICATED without a token, and writes nothing', async () => {
    const before = await snapshotTables(database.dataSource);
    let answer: Awaited<ReturnType<typeof run>> | undefined;
    // Refused before parsing: no audit event either.
    expect(await auditEventsOf(async () => (answer = await run(null)))).toEqual([]);
    const { status, body } = answer!;
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });

  const mutation = mutations.find((candidate) => candidate.name === operation.name);
  if (mutation) {
    it('is FORBIDDEN to a viewer, writes nothing but one REFUSED audit event', async () => {
      const before = await snapshotTables(database.dataSource);
      let body: Record<string, any> = {};
      const events = await auditEventsOf(async () => ({ body } = await run(tokens.viewer)));
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await snapshotTables(database.dataSource)).toEqual(before);
      expect(events).toMatchObject([
        {
          account_id: accountId,
          actor_kind: 'TOKEN',
          actor_token_id: tokenIds.viewer,
          actor_name: 'test VIEWER',
          kind: mutation.audit.kind,
          outcome: 'REFUSED',
          error_type: 'FORBIDDEN',
        },
      ]);
    });

    it("finds nothing of this account for another account's admin, writes one FAILED event in its own account", async () => {
      if (operation.name === 'createVectorStore') return; // names no object
      if (operation.name === 'setStorageQuota') {
        // It names no object either: the other admin sets its own account's quota, never this one's.
        const quotaOf = async (id: string) =>
          (
            await database.dataSource.query(`SELECT storage_quota_bytes AS q FROM account WHERE id = $1`, [
              id,
            ])
          )[0].q;
        const before = await quotaOf(accountId);
        const { body } = await run(tokens.otherAdmin);
        expect(body.data?.setStorageQuota).toMatchObject({ __typename: 'Account' });
        expect(await quotaOf(accountId)).toBe(before);
        expect(Number(await quotaOf(otherAccountId))).toBe(5e12);
        return;
      }
      const before = await snapshotTables(database.dataSource);
      let body: Record<string, any> = {};
      const events = await auditEventsOf(async () => ({ body } = await run(tokens.otherAdmin)));
      const result = body.data?.[operation.name];
      expect(result?.__typename).toBe('NotFoundError');
      expect(await snapshotTables(database.dataSource)).toEqual(before);
      expect(events).toMatchObject([
        {
          account_id: otherAccountId,
          actor_token_id: tokenIds.otherAdmin,
          kind: mutation.audit.kind,
          outcome: 'FAILED',
          error_type: 'NotFoundError',
        },
      ]);
    });
  } else {
    it('is readable by a viewer', async () => {
      const { body } = await run(tokens.viewer);
      expect(body.errors).toBeUndefined();
      expect(body.data?.[operation.name]).not.toBeNull();
      if (operation.name === 'viewer') {
        expect(body.data?.viewer).toMatchObject({ role: 'VIEWER', account: { name: accountName } });
      }
      if (operation.name === 'storageCost') {
        expect(body.data?.storageCost).toEqual({
          totalUsageBytes: usage.account,
          billableBytes: usage.account - GIB,
          storesWithoutExpiration: 1,
          bytesWithoutExpiration: usage.account,
        });
      }
    });

    it("shows another account's viewer nothing of this account", async () => {
      const { body } = await run(tokens.otherViewer);
      expect(body.errors).toBeUndefined();
      const result = body.data?.[operation.name];
      switch (operation.name) {
        case 'vectorStore':
        case 'node':
        case 'syncRun':
          expect(result).toBeNull();
          break;
        case 'vectorStores':
          expect(result.edges.map((edge: any) => edge.node.id)).toEqual([gid('VectorStore', otherStore.id)]);
          break;
        case 'syncRuns':
        case 'orphanFiles':
          expect(result.totalCount).toBe(0);
          break;
        case 'viewer':
          expect(result).toMatchObject({ role: 'VIEWER', account: { name: otherAccountName } });
          break;
        case 'storageCost':
          // Its own store only: one with an expiration policy.
          expect(result).toEqual({
            totalUsageBytes: usage.other,
            billableBytes: usage.other - GIB,
            storesWithoutExpiration: 0,
            bytesWithoutExpiration: 0,
          });
          break;
        default:
          throw new Error(`no expectation for ${operation.name}`);
      }
    });
  }
});

describe('admins', () => {
  it.each(mutations.map((m) => [m.name, m] as const))(
    'may run %s, which writes one SUCCEEDED audit event',
    async (_name, operation) => {
      let body: { data?: Record<string, any>; errors?: unknown } = {};
      const events = await auditEventsOf(
        async () =>
          ({ body } = await api.graphql<Record<string, any>>(operation.document, {
            token: tokens.admin,
            variables: operation.variables(),
          })),
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.[operation.name]).toEqual(operation.expected());
      expect(events).toMatchObject([
        {
          account_id: accountId,
          actor_kind: 'TOKEN',
          actor_token_id: tokenIds.admin,
          actor_name: 'test ADMIN',
          kind: operation.audit.kind,
          outcome: 'SUCCEEDED',
          error_type: null,
        },
      ]);
      if (operation.audit.target) expect(events[0]!.targets).toContainEqual(operation.audit.target());
      if (operation.audit.summary) expect(events[0]).toMatchObject({ summary: operation.audit.summary });
    },
  );

  it('no bearer token appears anywhere in the audit log', async () => {
    const [{ dump, events }] = await database.dataSource.query(
      `SELECT string_agg(e::text, '\n') AS dump, count(*)::int AS events FROM audit_event e`,
    );
    // Every mutation ran as viewer, other admin and admin by now (the tests run in order).
    expect(events).toBeGreaterThanOrEqual(mutations.length * 3 - 1);
    for (const token of Object.values(tokens)) expect(dump).not.toContain(token);
  });

  it('every mutation of the schema is in this matrix and has its own audit mapping', async () => {
    const { schema } = await import('../../src/graphql/schema.ts');
    const { mutationAudits } = await import('../../src/graphql/audit.ts');
    const names = Object.keys(schema.getMutationType()!.getFields()).sort();
    // Uploads are covered by the upload and audit tests (multipart).
    expect([...mutations.map((m) => m.name), 'uploadVectorStoreFile'].sort()).toEqual(names);
    expect(Object.keys(mutationAudits).sort()).toEqual(names);
  });
});

describe('syncProgress subscription', () => {
  const subscribe = (token: string | null) =>
    api.app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: 'subscription { syncProgress { runId } }' }),
    });

  it('answers 401 without a token', async () => {
    const response = await subscribe(null);
    expect(response.status).toBe(401);
  });

  it('streams to a viewer', async () => {
    const controller = new AbortController();
    const response = await api.app.fetch('http://localhost/graphql', {
      method: 'POST',
      signal: controller.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${tokens.viewer}`,
      },
      body: JSON.stringify({ query: 'subscription { syncProgress { runId } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    controller.abort();
  });
});
