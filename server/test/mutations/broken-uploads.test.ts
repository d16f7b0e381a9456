import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VectorStoreEntity } from '../../src/db/entities/vector-store.entity.ts';
import { ContentStore } from '../../src/uploads/content-store.ts';
import { createAccount, createToken, createVectorStore } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { multipartBody, streamedUpload, type Part } from '../support/multipart.ts';
import { snapshotTables } from '../support/snapshot.ts';

const UPLOAD = `mutation($input: UploadVectorStoreFileInput!) {
  uploadVectorStoreFile(input: $input) { __typename ... on NotFoundError { message } }
}`;
const FOUR_MB = new Uint8Array(4 * 1024 * 1024).fill(97);

let database: TestDatabase;
let dataDir: string;
let tempDir: string;
let api: TestApp;
let admin: string;
let viewer: string;
let store: VectorStoreEntity;

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const operations = (storeId = store.id) =>
  JSON.stringify({
    query: UPLOAD,
    variables: { input: { vectorStoreId: gid('VectorStore', storeId), file: null } },
  });
const map = JSON.stringify({ 0: ['variables.input.file'] });
const tempFiles = async () => readdir(tempDir).catch(() => [] as string[]);

async function send(parts: Part[], token: string | null, app = api) {
  const { body, contentType } = multipartBody(parts);
  const response = await app.app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'graphql-require-preflight': '1',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-broken-upload-'));
  tempDir = path.join(dataDir, 'uploads-tmp');
  api = createTestApp(database, { dataDir, maxUploadBytes: 1024 * 1024 });
  const account = await createAccount(database.dataSource);
  admin = await createToken(database.dataSource, account.id, 'ADMIN');
  viewer = await createToken(database.dataSource, account.id, 'VIEWER');
  store = await createVectorStore(database.dataSource, account.id, { name: 'Uploads' });
});

afterAll(async () => {
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a broken or hostile upload leaves nothing behind', () => {
  it('answers 401 to no token, even with operations that are not JSON and a 4 MB file', async () => {
    const before = await snapshotTables(database.dataSource);
    const { status, json } = await send(
      [
        { name: 'operations', value: '{not json' },
        { name: 'map', value: map },
        { name: '0', value: FOUR_MB, filename: 'big.txt' },
      ],
      null,
    );
    expect(status).toBe(401);
    expect(json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await tempFiles()).toEqual([]);
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });

  it('answers 401 to an unknown token the same way', async () => {
    const { status } = await send([{ name: '0', value: FOUR_MB, filename: 'big.txt' }], 'vsa_not-a-token');
    expect(status).toBe(401);
    expect(await tempFiles()).toEqual([]);
  });

  it('answers 403 to a VIEWER token before writing a byte', async () => {
    const { status, json } = await send(
      [
        { name: 'operations', value: operations() },
        { name: 'map', value: map },
        { name: '0', value: FOUR_MB, filename: 'big.txt' },
      ],
      viewer,
    );
    expect(status).toBe(403);
    expect(json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(await tempFiles()).toEqual([]);
  });

  const brokenRequests: Array<[string, () => Part[]]> = [
    [
      'operations that are not JSON',
      () => [
        { name: 'operations', value: '{not json' },
        { name: 'map', value: map },
      ],
    ],
    [
      'a map that is not JSON',
      () => [
        { name: 'operations', value: operations() },
        { name: 'map', value: '[' },
      ],
    ],
    [
      'a map entry that is not a list of paths',
      () => [
        { name: 'operations', value: operations() },
        { name: 'map', value: JSON.stringify({ 0: 'variables.input.file' }) },
      ],
    ],
    [
      'a map that names a part never sent',
      () => [
        { name: 'operations', value: operations() },
        { name: 'map', value: JSON.stringify({ 0: ['variables.input.file'], 1: ['variables.other'] }) },
      ],
    ],
    [
      'a map that points at a missing variable',
      () => [
        { name: 'operations', value: operations() },
        { name: 'map', value: JSON.stringify({ 0: ['variables.input.nope.file'] }) },
      ],
    ],
  ];
  it.each(brokenRequests)('answers 400 to %s and keeps no file', async (_, fields) => {
    const before = await snapshotTables(database.dataSource);
    const { status, json } = await send(
      [...fields(), { name: '0', value: FOUR_MB, filename: 'big.txt' }],
      admin,
    );
    expect(status).toBe(400);
    expect(json.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(await tempFiles()).toEqual([]);
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });

  it('answers 400 to a file part sent before the operations, and keeps no file', async () => {
    const { status } = await send(
      [
        { name: '0', value: FOUR_MB, filename: 'big.txt' },
        { name: 'operations', value: operations() },
        { name: 'map', value: map },
      ],
      admin,
    );
    expect(status).toBe(400);
    expect(await tempFiles()).toEqual([]);
  });

  it('keeps no file when the body is cut short', async () => {
    const { body, contentType } = multipartBody([
      { name: 'operations', value: operations() },
      { name: 'map', value: map },
      { name: '0', value: new Uint8Array(200_000).fill(98), filename: 'cut.txt' },
    ]);
    const response = await api.app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'graphql-require-preflight': '1',
        authorization: `Bearer ${admin}`,
      },
      body: body.subarray(0, 150_000),
    });
    expect(response.status).toBe(400);
    expect(await tempFiles()).toEqual([]);
  });

  it('keeps no file when the resolver refuses (a store that does not exist)', async () => {
    const before = await snapshotTables(database.dataSource);
    const { json } = await send(
      [
        { name: 'operations', value: operations('00000000-0000-4000-8000-000000000000') },
        { name: 'map', value: map },
        { name: '0', value: new Uint8Array(1000).fill(97), filename: 'a.txt' },
      ],
      admin,
    );
    expect(json.data.uploadVectorStoreFile.__typename).toBe('NotFoundError');
    expect(await tempFiles()).toEqual([]);
    expect(await snapshotTables(database.dataSource)).toEqual(before);
  });

  it('keeps no file when the commit itself fails after the content was moved into place', async () => {
    // A deferred constraint trigger makes PostgreSQL refuse the commit, after every statement succeeded.
    await database.dataSource.query(`
      CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
      CREATE CONSTRAINT TRIGGER file_refused_at_commit AFTER INSERT ON file DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.filename = 'fail-at-commit.txt') EXECUTE FUNCTION refuse_at_commit();`);
    try {
      const content = new Uint8Array(2000).fill(122);
      const before = await snapshotTables(database.dataSource);
      const { json } = await send(
        [
          { name: 'operations', value: operations() },
          { name: 'map', value: map },
          { name: '0', value: content, filename: 'fail-at-commit.txt' },
        ],
        admin,
      );
      expect(json.errors?.[0]?.message).toBe('Unexpected error.');
      expect(await api.services.contents.has(createHash('sha256').update(content).digest('hex'))).toBe(false);
      expect(await tempFiles()).toEqual([]);
      expect(await snapshotTables(database.dataSource)).toEqual(before);
    } finally {
      await database.dataSource.query(
        'DROP TRIGGER file_refused_at_commit ON file; DROP FUNCTION refuse_at_commit()',
      );
    }
  });

  describe('over a real HTTP connection', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer(api.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('removes the partial file of an upload the client aborts mid-file', async () => {
      const { body, contentType } = multipartBody([
        { name: 'operations', value: operations() },
        { name: 'map', value: map },
        { name: '0', value: new Uint8Array(900_000).fill(99), filename: 'aborted.txt' },
      ]);
      const client = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/graphql',
        headers: {
          'content-type': contentType,
          'content-length': String(body.length),
          'graphql-require-preflight': '1',
          authorization: `Bearer ${admin}`,
        },
      });
      client.on('error', () => undefined);
      client.write(body.subarray(0, 600_000));
      // The file exists while its part streams in; then the client goes away.
      await vi.waitFor(async () => expect(await tempFiles()).toHaveLength(1), { timeout: 10_000 });
      client.destroy();
      await vi.waitFor(async () => expect(await tempFiles()).toEqual([]), { timeout: 10_000 });
    });
  });

  it('caps concurrent uploads per token with 429, before writing', async () => {
    const capped = createTestApp(database, { dataDir, maxUploadBytes: 1024 * 1024 }, { uploadsPerToken: 1 });
    // The first upload's body is held open (after its head and a first block of the file, which
    // the parser needs to see the part begin) until the second has been answered.
    const { body, contentType } = streamedUpload({
      query: UPLOAD,
      variables: { input: { vectorStoreId: gid('VectorStore', store.id), file: null } },
      path: 'variables.input.file',
      filename: 'slow.txt',
      bytes: 10_000,
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const reader = body.getReader();
    let pulls = 0;
    const gated = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        controller.enqueue(value);
        if (++pulls === 2) await held;
      },
    });
    const first = capped.app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'graphql-require-preflight': '1',
        authorization: `Bearer ${admin}`,
      },
      body: gated,
      duplex: 'half',
    } as RequestInit);
    await vi.waitFor(async () => expect(await tempFiles()).toHaveLength(1), { timeout: 10_000 });
    const second = await send(
      [
        { name: 'operations', value: operations() },
        { name: 'map', value: map },
        { name: '0', value: new Uint8Array(1000).fill(97), filename: 'b.txt' },
      ],
      admin,
      capped,
    );
    expect(second.status).toBe(429);
    expect(second.json.errors[0].extensions.code).toBe('TOO_MANY_UPLOADS');
    release();
    const firstJson = (await (await first).json()) as Record<string, any>;
    expect(firstJson.data.uploadVectorStoreFile.__typename).toBe('VectorStoreFilePayload');
    expect(await tempFiles()).toEqual([]);
    // The slot is free again.
    const third = await send(
      [
        { name: 'operations', value: operations() },
        { name: 'map', value: map },
        { name: '0', value: new Uint8Array(1000).fill(101), filename: 'c.txt' },
      ],
      admin,
      capped,
    );
    expect(third.json.data.uploadVectorStoreFile.__typename).toBe('VectorStoreFilePayload');
  });
});

describe('authentication comes before parsing', () => {
  it.each([
    ['a broken document', '{ not graphql'],
    ['a body that is not JSON', null],
  ])('answers 401 UNAUTHENTICATED to a bad token with %s', async (_, query) => {
    for (const token of [null, 'vsa_bad-token']) {
      const response = await api.app.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: query === null ? '{{{' : JSON.stringify({ query }),
      });
      expect(response.status).toBe(401);
      const json = (await response.json()) as Record<string, any>;
      expect(json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('the temporary upload folder at start', () => {
  it('removes files untouched for the idle period and keeps fresh ones', async () => {
    const contents = new ContentStore(await mkdtemp(path.join(os.tmpdir(), 'vs-align-sweep-')));
    await mkdir(contents.tempDir, { recursive: true });
    const stale = path.join(contents.tempDir, 'stale');
    const fresh = path.join(contents.tempDir, 'fresh');
    await writeFile(stale, 'left by a dead process');
    await writeFile(fresh, 'an upload in progress');
    const now = Date.now();
    await utimes(stale, new Date(now - 120_000), new Date(now - 120_000));
    expect(await contents.sweepTemp(60_000, now)).toBe(1);
    expect(await readdir(contents.tempDir)).toEqual(['fresh']);
  });
});
