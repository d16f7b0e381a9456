import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VectorStoreEntity } from '../../src/db/entities/vector-store.entity.ts';
import { createAccount, createToken, createVectorStore } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { streamedUpload } from '../support/multipart.ts';
import { snapshotTables } from '../support/snapshot.ts';

const UPLOAD = `mutation($input: UploadVectorStoreFileInput!) {
  uploadVectorStoreFile(input: $input) {
    __typename
    ... on VectorStoreFilePayload {
      vectorStoreFile { status usageBytes file { id filename bytes source } }
      vectorStore { usageBytes fileCounts { completed total } }
    }
    ... on ValidationError { field message }
    ... on ReadOnlyMirrorError { message }
  }
}`;

const LIMIT = 300 * 1024 * 1024;
let database: TestDatabase;
let dataDir: string;
let api: TestApp;
let token: string;
let store: VectorStoreEntity;
let mirror: VectorStoreEntity;

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

async function upload(
  target: VectorStoreEntity,
  filename: string,
  bytes: number,
  headers: Record<string, string> = { 'graphql-require-preflight': '1' },
  pattern?: string,
) {
  const { body, contentType } = streamedUpload({
    query: UPLOAD,
    variables: { input: { vectorStoreId: gid('VectorStore', target.id), file: null } },
    path: 'variables.input.file',
    filename,
    bytes,
    pattern,
  });
  const response = await api.app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${token}`, ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
  const json = (await response.json()) as Record<string, any>;
  return { status: response.status, json };
}

const listFiles = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile())
    .map((e) => e.name);

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-upload-'));
  api = createTestApp(database, { dataDir, maxUploadBytes: LIMIT });
  const account = await createAccount(database.dataSource);
  token = await createToken(database.dataSource, account.id, 'ADMIN');
  store = await createVectorStore(database.dataSource, account.id, { name: 'Uploads' });
  mirror = await createVectorStore(database.dataSource, account.id, { source: 'cache' });
});

afterAll(async () => {
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('uploadVectorStoreFile', () => {
  it('streams a 200 MB upload to storage without holding it in memory', async () => {
    const size = 200 * 1024 * 1024;
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const { json } = await upload(store, 'big.txt', size);
    clearInterval(sampler);
    expect(json.data.uploadVectorStoreFile).toMatchObject({
      __typename: 'VectorStoreFilePayload',
      vectorStoreFile: { status: 'COMPLETED', usageBytes: size, file: { filename: 'big.txt', bytes: size } },
      vectorStore: { usageBytes: size, fileCounts: { completed: 1, total: 1 } },
    });
    // Held whole, the body alone would add 200 MB; streamed, the process grows by a few buffers.
    expect(peak - baseline).toBeLessThan(size / 4);
    expect(await listFiles(path.join(dataDir, 'files'))).toHaveLength(1);
    expect(await listFiles(path.join(dataDir, 'uploads-tmp'))).toEqual([]);
  });

  it('refuses a file over the limit with a ValidationError and keeps no partial file', async () => {
    const small = createTestApp(database, { dataDir, maxUploadBytes: 1024 * 1024 });
    const previous = api;
    api = small;
    try {
      const before = await snapshotTables(database.dataSource);
      const blobs = await listFiles(path.join(dataDir, 'files'));
      const { json } = await upload(store, 'huge.txt', 3 * 1024 * 1024);
      expect(json.data.uploadVectorStoreFile).toMatchObject({ __typename: 'ValidationError', field: 'file' });
      expect(await snapshotTables(database.dataSource)).toEqual(before);
      expect(await listFiles(path.join(dataDir, 'files'))).toEqual(blobs);
      expect(await listFiles(path.join(dataDir, 'uploads-tmp'))).toEqual([]);
    } finally {
      api = previous;
    }
  });

  it('keeps identical content once, and removes it only with its last File', async () => {
    const pattern = 'Same words in both files.\n';
    const other = await createVectorStore(database.dataSource, store.accountId, { name: 'Other' });
    const first = await upload(store, 'a.md', 4096, undefined, pattern);
    const second = await upload(other, 'b.md', 4096, undefined, pattern);
    const blobs = await listFiles(path.join(dataDir, 'files'));
    expect(blobs).toHaveLength(2); // the 200 MB file and this shared content

    const remove = (target: VectorStoreEntity, fileId: string) =>
      api.graphql(
        `mutation($input: RemoveVectorStoreFileInput!) { removeVectorStoreFile(input: $input) { __typename } }`,
        { token, variables: { input: { vectorStoreId: gid('VectorStore', target.id), fileId } } },
      );
    await remove(store, first.json.data.uploadVectorStoreFile.vectorStoreFile.file.id);
    expect(await listFiles(path.join(dataDir, 'files'))).toHaveLength(2);
    const { body } = await api.graphql<{ deleteVectorStore: { __typename: string } }>(
      `mutation($id: ID!) { deleteVectorStore(input: { id: $id }) { __typename } }`,
      { token, variables: { id: gid('VectorStore', other.id) } },
    );
    expect(body.data!.deleteVectorStore.__typename).toBe('DeleteVectorStorePayload');
    expect(second.json.data.uploadVectorStoreFile.__typename).toBe('VectorStoreFilePayload');
    expect(await listFiles(path.join(dataDir, 'files'))).toHaveLength(1);
  });

  it('refuses unsupported types and mirrors, writing nothing', async () => {
    const before = await snapshotTables(database.dataSource);
    const exe = await upload(store, 'tool.exe', 1000);
    expect(exe.json.data.uploadVectorStoreFile).toMatchObject({
      __typename: 'ValidationError',
      field: 'file',
    });
    const toMirror = await upload(mirror, 'notes.txt', 1000);
    expect(toMirror.json.data.uploadVectorStoreFile).toMatchObject({
      __typename: 'ReadOnlyMirrorError',
      message: 'Cannot update a vector store that is a cache of an external source',
    });
    expect(await snapshotTables(database.dataSource)).toEqual(before);
    expect(await listFiles(path.join(dataDir, 'uploads-tmp'))).toEqual([]);
  });

  it('refuses a multipart request without the CSRF preflight header', async () => {
    const { status, json } = await upload(store, 'x.txt', 10, {});
    expect(status).toBe(400);
    expect(json.errors[0].message).toMatch(/GraphQL-Require-Preflight/);
  });

  it('refuses a JSON request that names a staged file it did not send', async () => {
    const { body } = await api.graphql(UPLOAD, {
      token,
      variables: { input: { vectorStoreId: gid('VectorStore', store.id), file: 'upload_guess' } },
    });
    expect(body.errors?.[0]?.message).toMatch(/multipart/);
  });
});
