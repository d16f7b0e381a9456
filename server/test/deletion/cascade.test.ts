import OpenAI, { toFile } from 'openai';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.ts';
import type { AccountEntity } from '../../src/db/entities/account.entity.ts';
import { AccountService } from '../../src/services/account.service.ts';
import { asMirrorWriter } from '../../src/db/mirror-writer.ts';
import { RemoteDeletionWorker } from '../../src/services/deletion/remote-deletion.worker.ts';
import { AdaptiveLimiter } from '../../src/services/sync/adaptive-limiter.ts';
import { createAccount, createToken, createVectorStore, testSecrets } from '../factories/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const API_KEY = 'sk-cascade-test';
let emulator: Awaited<ReturnType<typeof startEmulator>>;
let client: OpenAI;
let database: TestDatabase;
let api: TestApp;
let account: AccountEntity;
let token: string;
let worker: RemoteDeletionWorker;

const gid = (id: string) => Buffer.from(`VectorStore:${id}`).toString('base64');

async function uploadFile(name: string): Promise<string> {
  const file = await client.files.create({
    file: await toFile(Buffer.from(`content of ${name}`), name),
    purpose: 'assistants',
  });
  return file.id;
}

/** A remote store with the given Files, and its local mirror row (as a sync would leave it). */
async function remoteStore(name: string, fileIds: string[]) {
  const remote = await client.vectorStores.create({ name, file_ids: fileIds });
  const row = await createVectorStore(database.dataSource, account.id, {
    source: 'cache',
    backend: 'openai',
    name,
    externalId: remote.id,
  });
  return { remote, row };
}

async function remoteFileIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const file of client.files.list({ limit: 100 })) ids.push(file.id);
  return ids.sort();
}

/** Files attached to no store in the emulator: what the cascade must never leave behind. */
async function orphansInOpenAI(): Promise<string[]> {
  const attached = new Set<string>();
  for await (const store of client.vectorStores.list({ limit: 100 })) {
    for await (const file of client.vectorStores.files.list(store.id, { limit: 100 })) attached.add(file.id);
  }
  return (await remoteFileIds()).filter((id) => !attached.has(id));
}

async function deleteStore(id: string) {
  const { body } = await api.graphql<{ deleteVectorStore: { vectorStore: { status: string } | null } }>(
    `mutation($id: ID!) { deleteVectorStore(input: { id: $id }) { ... on DeleteVectorStorePayload { vectorStore { status } } } }`,
    { token, variables: { id: gid(id) } },
  );
  return body.data!.deleteVectorStore;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, attachDelayMs: 0 });
  client = new OpenAI({ apiKey: API_KEY, baseURL: emulator.url, maxRetries: 0 });
  database = await createTestDatabase();
  api = createTestApp(database);
  const accounts = new AccountService(database.dataSource, testSecrets);
  account = await createAccount(database.dataSource);
  await accounts.setOpenAIConnection(account.id, { apiKey: API_KEY, baseURL: emulator.url, project: null });
  token = await createToken(database.dataSource, account.id, 'ADMIN');
  worker = new RemoteDeletionWorker(database.dataSource, accounts, pino({ level: 'silent' }), {
    backoffBaseMs: 20,
    backoffMaxMs: 50,
    sdkMaxRetries: 0,
  });
});

beforeEach(async () => {
  emulator.emulator.reset();
  await asMirrorWriter(database.dataSource, 'deletion', (manager) =>
    manager.query('DELETE FROM vector_store; DELETE FROM remote_deletion; DELETE FROM file'),
  );
});

afterAll(async () => {
  await emulator.close();
  await database.drop();
});

describe('deleting a mirror', () => {
  it('deletes its unshared Files and the store in OpenAI, keeps a shared File, and leaves no orphan', async () => {
    const [own1, own2, shared] = [
      await uploadFile('a.txt'),
      await uploadFile('b.txt'),
      await uploadFile('s.txt'),
    ];
    const doomed = await remoteStore('doomed', [own1, own2, shared]);
    const keeper = await remoteStore('keeper', [shared]);

    expect(await deleteStore(doomed.row.id)).toEqual({ vectorStore: { status: 'DELETING' } });
    await worker.drain();

    expect(await remoteFileIds()).toEqual([shared]);
    await expect(client.vectorStores.retrieve(doomed.remote.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await client.vectorStores.retrieve(keeper.remote.id)).id).toBe(keeper.remote.id);
    expect(await orphansInOpenAI()).toEqual([]);
    const rows = await database.dataSource.query(`SELECT name FROM vector_store`);
    expect(rows).toEqual([{ name: 'keeper' }]);
    expect(await database.dataSource.query(`SELECT * FROM remote_deletion`)).toEqual([]);
  });

  it("goes through the account's limiter, the one its syncs use: every request waits for it and is counted", async () => {
    const limiter = new AdaptiveLimiter({ maxConcurrency: 8, maxRequestsPerSecond: Infinity });
    const accounts = new AccountService(database.dataSource, testSecrets);
    const limited = new RemoteDeletionWorker(database.dataSource, accounts, pino({ level: 'silent' }), {
      sdkMaxRetries: 0,
      limiterOf: (accountId) => {
        expect(accountId).toBe(account.id);
        return limiter;
      },
    });
    const doomed = await remoteStore('doomed', [await uploadFile('a.txt')]);
    const before = emulator.emulator.stats().total;
    await deleteStore(doomed.row.id);
    await limited.drain();

    // Every request the worker made to OpenAI took a permit (the emulator counts what it received).
    expect(limiter.counts.requests).toBeGreaterThanOrEqual(4);
    expect(limiter.counts.requests).toBe(emulator.emulator.stats().total - before);
    await expect(client.vectorStores.retrieve(doomed.remote.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('sees a File attached elsewhere after the last sync (fresh view) and keeps it', async () => {
    const [own, later] = [await uploadFile('own.txt'), await uploadFile('later.txt')];
    const doomed = await remoteStore('doomed', [own, later]);
    const other = await remoteStore('other', []);
    // Attached in OpenAI after the mirror was written: the local row says "no files".
    await client.vectorStores.files.create(other.remote.id, { file_id: later });

    await deleteStore(doomed.row.id);
    await worker.drain();
    expect(await remoteFileIds()).toEqual([later]);
    expect(await orphansInOpenAI()).toEqual([]);
  });

  it('stays DELETING with the error while OpenAI fails, then finishes when it recovers', async () => {
    const files = [await uploadFile('x.txt'), await uploadFile('y.txt')];
    const doomed = await remoteStore('doomed', files);
    emulator.emulator.setFaults({ errorRates: { 503: 1 } });

    await deleteStore(doomed.row.id);
    await worker.drain();
    const [pending] = await database.dataSource.query(
      `SELECT attempts, last_error FROM remote_deletion WHERE vector_store_id = $1`,
      [doomed.row.id],
    );
    expect(pending.attempts).toBeGreaterThanOrEqual(1);
    expect(pending.last_error).toMatch(/503/);
    const [row] = await database.dataSource.query(`SELECT status FROM vector_store WHERE id = $1`, [
      doomed.row.id,
    ]);
    expect(row.status).toBe('deleting');

    emulator.emulator.setFaults({});
    for (
      let i = 0;
      i < 50 && (await database.dataSource.query(`SELECT 1 FROM remote_deletion`)).length > 0;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20)); // the backoff is 20–50 ms here
      await worker.drain();
    }
    expect(await remoteFileIds()).toEqual([]);
    expect(await orphansInOpenAI()).toEqual([]);
    expect(await database.dataSource.query(`SELECT * FROM vector_store`)).toEqual([]);
  });

  it('finishes a cascade whose worker died after detaching, without orphaning the detached File', async () => {
    const files = [await uploadFile('p.txt'), await uploadFile('q.txt')];
    const doomed = await remoteStore('doomed', files);
    await deleteStore(doomed.row.id);
    // What a worker killed between "detach" and "delete File" leaves: the plan recorded, one File
    // detached (no store lists it any more) but not deleted, and a lease that has run out.
    await database.dataSource.query(
      `UPDATE remote_deletion SET planned_file_ids = $1, attempts = 1, lease_until = now() - interval '1 second'`,
      [JSON.stringify(files)],
    );
    await client.vectorStores.files.delete(files[0]!, { vector_store_id: doomed.remote.id });

    await worker.drain();
    expect(await remoteFileIds()).toEqual([]);
    expect(await database.dataSource.query(`SELECT * FROM remote_deletion`)).toEqual([]);
  });

  it('never lets two workers take the same item', async () => {
    const doomed = await remoteStore('doomed', [await uploadFile('z.txt')]);
    await deleteStore(doomed.row.id);
    const second = new RemoteDeletionWorker(
      database.dataSource,
      new AccountService(database.dataSource, testSecrets),
      pino({ level: 'silent' }),
      { sdkMaxRetries: 0 },
    );
    const [a, b] = await Promise.all([worker.drain(), second.drain()]);
    expect(a + b).toBe(1);
    expect(await remoteFileIds()).toEqual([]);
  });
});

describe('deleteOrphanFiles', () => {
  it('deletes the named orphan Files through the queue and refuses attached ones', async () => {
    const [orphan, attached] = [await uploadFile('o.txt'), await uploadFile('att.txt')];
    const store = await remoteStore('store', [attached]);
    const insertFile = async (externalId: string) =>
      (
        await database.dataSource.query(
          `INSERT INTO file (account_id, source, external_id, filename, bytes, purpose, file_created_at)
           VALUES ($1, 'cache', $2, $2, 10, 'assistants', now() - interval '2 days') RETURNING id`,
          [account.id, externalId],
        )
      )[0].id as string;
    const orphanId = await insertFile(orphan);
    const attachedId = await insertFile(attached);
    await database.dataSource.query(
      `INSERT INTO vector_store_file (vector_store_id, file_id, status) VALUES ($1, $2, 'completed')`,
      [store.row.id, attachedId],
    );
    const fileGid = (id: string) => Buffer.from(`FileObject:${id}`).toString('base64');
    const mutation = `mutation($ids: [ID!]!) { deleteOrphanFiles(input: { ids: $ids }) {
      __typename ... on DeleteOrphanFilesPayload { queued } ... on ValidationError { field } } }`;

    const refused = await api.graphql<{ deleteOrphanFiles: Record<string, unknown> }>(mutation, {
      token,
      variables: { ids: [fileGid(orphanId), fileGid(attachedId)] },
    });
    expect(refused.body.data!.deleteOrphanFiles).toEqual({ __typename: 'ValidationError', field: 'ids.1' });
    expect(await database.dataSource.query(`SELECT * FROM remote_deletion`)).toEqual([]);

    const done = await api.graphql<{ deleteOrphanFiles: Record<string, unknown> }>(mutation, {
      token,
      variables: { ids: [fileGid(orphanId)] },
    });
    expect(done.body.data!.deleteOrphanFiles).toEqual({ __typename: 'DeleteOrphanFilesPayload', queued: 1 });
    await worker.drain();
    expect(await remoteFileIds()).toEqual([attached]);
    const left = await database.dataSource.query(`SELECT external_id FROM file ORDER BY external_id`);
    expect(left).toEqual([{ external_id: attached }]);
  });
});
