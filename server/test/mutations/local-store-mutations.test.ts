import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VectorStoreEntity } from '../../src/db/entities/vector-store.entity.ts';
import { createAccount, createToken, createVectorStore } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { snapshotTables } from '../support/snapshot.ts';

let database: TestDatabase;
let api: TestApp;
let adminToken: string;
let viewerToken: string;
let otherAdminToken: string;
let mirror: VectorStoreEntity;
let local: VectorStoreEntity;

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

const CREATE = `mutation($input: CreateVectorStoreInput!) {
  createVectorStore(input: $input) {
    __typename
    ... on VectorStorePayload { vectorStore { id name source backend readOnly expirationPolicy { kind days } expiresAt lastActiveAt metadata { key value } } }
    ... on ValidationError { field message }
  }
}`;

const UPDATE = `mutation($input: UpdateVectorStoreInput!) {
  updateVectorStore(input: $input) {
    __typename
    ... on VectorStorePayload { vectorStore { name description expirationPolicy { kind days } } }
    ... on ValidationError { field message }
    ... on ReadOnlyMirrorError { message vectorStoreId }
    ... on NotFoundError { message }
  }
}`;

const DELETE = `mutation($id: ID!) {
  deleteVectorStore(input: { id: $id }) {
    __typename
    ... on DeleteVectorStorePayload { deletedVectorStoreId vectorStore { status } }
    ... on NotFoundError { message }
  }
}`;

beforeAll(async () => {
  database = await createTestDatabase();
  api = createTestApp(database);
  const account = await createAccount(database.dataSource);
  adminToken = await createToken(database.dataSource, account.id, 'ADMIN');
  viewerToken = await createToken(database.dataSource, account.id, 'VIEWER');
  const other = await createAccount(database.dataSource);
  otherAdminToken = await createToken(database.dataSource, other.id, 'ADMIN');
  mirror = await createVectorStore(database.dataSource, account.id, { source: 'cache', name: 'Remote' });
  local = await createVectorStore(database.dataSource, account.id, { name: 'Local' });
});

afterAll(async () => database.drop());

describe('createVectorStore', () => {
  it('creates a local primary store with its policy, expiry and metadata', async () => {
    const { body } = await api.graphql<{ createVectorStore: { vectorStore: Record<string, unknown> } }>(
      CREATE,
      {
        token: adminToken,
        variables: {
          input: {
            name: '  Handbook  ',
            expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 7 },
            metadata: [{ key: 'team', value: 'support' }],
          },
        },
      },
    );
    const store = body.data!.createVectorStore.vectorStore;
    expect(store).toMatchObject({
      name: 'Handbook',
      source: 'PRIMARY',
      backend: 'LOCAL',
      readOnly: false,
      expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 7 },
      metadata: [{ key: 'team', value: 'support' }],
    });
    const lastActive = Date.parse(store.lastActiveAt as string);
    expect(Date.parse(store.expiresAt as string) - lastActive).toBe(7 * 86_400_000);
  });

  const badInputs: Array<[string, Record<string, unknown>, string]> = [
    ['an empty name', { name: '   ' }, 'name'],
    ['a name over 256 characters', { name: 'x'.repeat(257) }, 'name'],
    ['a description over 512 characters', { name: 'ok', description: 'd'.repeat(513) }, 'description'],
    [
      '0 days',
      { name: 'ok', expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 0 } },
      'expirationPolicy.days',
    ],
    [
      '366 days',
      { name: 'ok', expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 366 } },
      'expirationPolicy.days',
    ],
    ['no days', { name: 'ok', expirationPolicy: { kind: 'AFTER_INACTIVITY' } }, 'expirationPolicy.days'],
    [
      'days with NEVER',
      { name: 'ok', expirationPolicy: { kind: 'NEVER', days: 3 } },
      'expirationPolicy.days',
    ],
    [
      '17 metadata pairs',
      { name: 'ok', metadata: Array.from({ length: 17 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
      'metadata',
    ],
    ['a 65-character key', { name: 'ok', metadata: [{ key: 'k'.repeat(65), value: 'v' }] }, 'metadata.0.key'],
    [
      'a 513-character value',
      { name: 'ok', metadata: [{ key: 'k', value: 'v'.repeat(513) }] },
      'metadata.0.value',
    ],
    [
      'a duplicate key',
      {
        name: 'ok',
        metadata: [
          { key: 'k', value: '1' },
          { key: 'k', value: '2' },
        ],
      },
      'metadata.1.key',
    ],
  ];

  it.each(badInputs)('refuses %s with a ValidationError and writes nothing', async (_label, input, field) => {
    const before = await snapshotTables(database.dataSource);
    const { body } = await api.graphql<{ createVectorStore: { __typename: string; field: string } }>(CREATE, {
      token: adminToken,
      variables: { input },
    });
    expect(body.data!.createVectorStore).toMatchObject({ __typename: 'ValidationError', field });
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });

  it('is FORBIDDEN to a viewer and writes nothing', async () => {
    const before = await snapshotTables(database.dataSource);
    const { body } = await api.graphql(CREATE, {
      token: viewerToken,
      variables: { input: { name: 'nope' } },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });
});

describe('updateVectorStore', () => {
  it('changes the policy and recomputes expiresAt from the last activity', async () => {
    const { body } = await api.graphql<{ updateVectorStore: { vectorStore: Record<string, unknown> } }>(
      `mutation($input: UpdateVectorStoreInput!) { updateVectorStore(input: $input) {
        ... on VectorStorePayload { vectorStore { expiresAt lastActiveAt expirationPolicy { kind days } } } } }`,
      {
        token: adminToken,
        variables: {
          input: {
            id: gid('VectorStore', local.id),
            expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 3 },
          },
        },
      },
    );
    const store = body.data!.updateVectorStore.vectorStore;
    expect(store.expirationPolicy).toEqual({ kind: 'AFTER_INACTIVITY', days: 3 });
    expect(Date.parse(store.expiresAt as string) - Date.parse(store.lastActiveAt as string)).toBe(
      3 * 86_400_000,
    );
  });

  it('changes a local store', async () => {
    const { body } = await api.graphql<{ updateVectorStore: { vectorStore: Record<string, unknown> } }>(
      UPDATE,
      {
        token: adminToken,
        variables: {
          input: { id: gid('VectorStore', local.id), name: 'Renamed', expirationPolicy: { kind: 'NEVER' } },
        },
      },
    );
    expect(body.data!.updateVectorStore.vectorStore).toEqual({
      name: 'Renamed',
      description: null,
      expirationPolicy: { kind: 'NEVER', days: null },
    });
  });

  it('refuses every edit of a mirror with ReadOnlyMirrorError and writes nothing', async () => {
    const before = await snapshotTables(database.dataSource);
    const { body } = await api.graphql<{ updateVectorStore: Record<string, unknown> }>(UPDATE, {
      token: adminToken,
      variables: { input: { id: gid('VectorStore', mirror.id), name: 'Hijacked' } },
    });
    expect(body.data!.updateVectorStore).toEqual({
      __typename: 'ReadOnlyMirrorError',
      message: 'Cannot update a vector store that is a cache of an external source',
      vectorStoreId: mirror.id,
    });
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });

  it('refuses removing a file from a mirror with ReadOnlyMirrorError', async () => {
    const before = await snapshotTables(database.dataSource);
    const { body } = await api.graphql<{ removeVectorStoreFile: Record<string, unknown> }>(
      `mutation($input: RemoveVectorStoreFileInput!) {
        removeVectorStoreFile(input: $input) { __typename ... on ReadOnlyMirrorError { message } }
      }`,
      {
        token: adminToken,
        variables: {
          input: {
            vectorStoreId: gid('VectorStore', mirror.id),
            fileId: gid('FileObject', '00000000-0000-4000-8000-000000000000'),
          },
        },
      },
    );
    expect(body.data!.removeVectorStoreFile.__typename).toBe('ReadOnlyMirrorError');
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });

  it("answers NotFoundError for another account's store, as for a missing one", async () => {
    const before = await snapshotTables(database.dataSource);
    for (const id of [local.id, '00000000-0000-4000-8000-000000000000']) {
      const { body } = await api.graphql<{ updateVectorStore: Record<string, unknown> }>(UPDATE, {
        token: otherAdminToken,
        variables: { input: { id: gid('VectorStore', id), name: 'x' } },
      });
      expect(body.data!.updateVectorStore.__typename).toBe('NotFoundError');
    }
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });

  it('refuses a bad field before looking at the store and writes nothing', async () => {
    const before = await snapshotTables(database.dataSource);
    const { body } = await api.graphql<{ updateVectorStore: Record<string, unknown> }>(UPDATE, {
      token: adminToken,
      variables: {
        input: {
          id: gid('VectorStore', local.id),
          expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 400 },
        },
      },
    });
    expect(body.data!.updateVectorStore).toMatchObject({
      __typename: 'ValidationError',
      field: 'expirationPolicy.days',
    });
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });
});

describe('deleteVectorStore', () => {
  it('deletes a local store at once', async () => {
    const doomed = await createVectorStore(database.dataSource, local.accountId, { name: 'Doomed' });
    const { body } = await api.graphql<{ deleteVectorStore: Record<string, unknown> }>(DELETE, {
      token: adminToken,
      variables: { id: gid('VectorStore', doomed.id) },
    });
    expect(body.data!.deleteVectorStore).toEqual({
      __typename: 'DeleteVectorStorePayload',
      deletedVectorStoreId: gid('VectorStore', doomed.id),
      vectorStore: null,
    });
    expect(
      await database.dataSource.getRepository(VectorStoreEntity).findOneBy({ id: doomed.id }),
    ).toBeNull();
  });

  it('marks a mirror DELETING and queues the remote work in the same transaction, once', async () => {
    const doomed = await createVectorStore(database.dataSource, local.accountId, { source: 'cache' });
    for (let i = 0; i < 2; i++) {
      const { body } = await api.graphql<{ deleteVectorStore: Record<string, unknown> }>(DELETE, {
        token: adminToken,
        variables: { id: gid('VectorStore', doomed.id) },
      });
      expect(body.data!.deleteVectorStore).toMatchObject({ vectorStore: { status: 'DELETING' } });
    }
    const queued = await database.dataSource.query(
      `SELECT kind, external_id FROM remote_deletion WHERE vector_store_id = $1`,
      [doomed.id],
    );
    expect(queued).toEqual([{ kind: 'VECTOR_STORE', external_id: doomed.externalId }]);
  });

  it("answers NotFoundError for another account's store and writes nothing", async () => {
    const before = await snapshotTables(database.dataSource);
    const { body } = await api.graphql<{ deleteVectorStore: Record<string, unknown> }>(DELETE, {
      token: otherAdminToken,
      variables: { id: gid('VectorStore', mirror.id) },
    });
    expect(body.data!.deleteVectorStore.__typename).toBe('NotFoundError');
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });
});
