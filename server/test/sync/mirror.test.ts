import { toFile } from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asMirrorWriter } from '../../src/db/mirror-writer.ts';
import { createVectorStore } from '../factories/index.ts';
import { createSyncHarness, mirrorState, primaryRows, remoteState, type SyncHarness } from './harness.ts';

let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness();
});
afterEach(async () => {
  await h.close();
});

/** Attachments settle after a real-time delay in the emulator: let them, before comparing. */
const settle = () => sleep(30);

async function sync() {
  const before = await primaryRows(h.db);
  const run = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
  expect(await primaryRows(h.db)).toBe(before);
  return run;
}

async function upload(name: string, content = 'Some text to index.') {
  return h.openai.files.create({ file: await toFile(Buffer.from(content), name), purpose: 'assistants' });
}

describe('sync mirrors an account', () => {
  it('brings new remote stores, their files and Files in as read-only OPENAI mirrors, leaving primary rows alone', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 5, filesPerStore: 3, orphanFiles: 4 });
    const local = await createVectorStore(h.db, h.accountId, { name: 'Local one' });
    // A local file in the local store, with an OpenAI-looking id that no remote File has.
    const [file] = await h.db.query(
      `INSERT INTO file (account_id, source, external_id, filename, bytes, purpose, file_created_at)
       VALUES ($1, 'primary', 'file-local', 'local.txt', 5, 'assistants', now() - interval '3 days') RETURNING id`,
      [h.accountId],
    );
    await h.db.query(
      `INSERT INTO vector_store_file (vector_store_id, file_id, status) VALUES ($1, $2, 'completed')`,
      [local.id, file.id],
    );

    const run = await sync();

    expect(run).toMatchObject({ status: 'SUCCEEDED', storesCreated: 5, filesCreated: 15, storesRemoved: 0 });
    expect(run.errors).toEqual([]);
    expect(run.finishedAt).not.toBeNull();
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
    const rows = await h.db.query(
      `SELECT source, backend, count(*)::int AS n FROM vector_store GROUP BY 1, 2 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { source: 'cache', backend: 'openai', n: 5 },
      { source: 'primary', backend: 'local', n: 1 },
    ]);
    expect((await h.services.vectorStores.findById(h.accountId, local.id))?.name).toBe('Local one');
  });

  it('reflects renames, metadata, expiration, status, file additions, failures, detachments and deletions', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 4, filesPerStore: 2 });
    await createVectorStore(h.db, h.accountId);
    await sync();
    const [a, b, c, d] = (await h.openai.vectorStores.list({ limit: 100, order: 'asc' })).data;

    await h.openai.vectorStores.update(a!.id, { name: 'Renamed', metadata: { team: 'support' } });
    await h.openai.vectorStores.update(b!.id, { expires_after: { anchor: 'last_active_at', days: 1 } });
    const added = await upload('new.txt');
    await h.openai.vectorStores.files.create(c!.id, { file_id: added.id, attributes: { lang: 'en' } });
    const broken = await upload('broken.bin', '\u0000\u0001\u0002');
    await h.openai.vectorStores.files.create(c!.id, { file_id: broken.id });
    const [detached] = (await h.openai.vectorStores.files.list(d!.id)).data;
    await h.openai.vectorStores.files.delete(detached!.id, { vector_store_id: d!.id });
    await settle();

    const second = await sync();
    expect(second).toMatchObject({
      status: 'SUCCEEDED',
      storesCreated: 0,
      storesRemoved: 0,
      filesCreated: 2,
    });
    const mirrored = await mirrorState(h.db, h.accountId);
    expect(mirrored).toEqual(await remoteState(h.openai));
    expect(second.storesUpdated).toBeGreaterThanOrEqual(4);
    expect(second.filesRemoved).toBe(1);
    expect(mirrored.links.find((l) => l.key === `${c!.id}/${broken.id}`)).toMatchObject({ status: 'failed' });
    expect(mirrored.stores.find((s) => s.externalId === a!.id)).toMatchObject({ name: 'Renamed' });

    // b expires (its files go with it), a is deleted, a File deleted in OpenAI leaves every store.
    h.emulator.emulator.clock.advance(3 * 86_400);
    await h.openai.vectorStores.delete(a!.id);
    await h.openai.files.delete(added.id);
    await settle();

    const third = await sync();
    expect(third).toMatchObject({ status: 'SUCCEEDED', storesRemoved: 1 });
    const after = await mirrorState(h.db, h.accountId);
    expect(after).toEqual(await remoteState(h.openai));
    expect(after.stores.find((s) => s.externalId === b!.id)).toMatchObject({ status: 'expired' });
    expect(after.stores.some((s) => s.externalId === a!.id)).toBe(false);
    expect(after.files.some((f) => f.externalId === added.id)).toBe(false);
  });

  it('does not resurrect a store being deleted, nor change it', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 2, filesPerStore: 1 });
    await sync();
    const [first] = await h.db.query(`SELECT id, external_id FROM vector_store ORDER BY external_id LIMIT 1`);
    // As the deletion service marks it (the only writer besides the sync the database admits).
    await asMirrorWriter(h.db, 'deletion', (manager) =>
      manager.query(`UPDATE vector_store SET status = 'deleting' WHERE id = $1`, [first.id]),
    );
    await h.openai.vectorStores.update(first.external_id, { name: 'Changed remotely' });

    await sync();
    const [row] = await h.db.query(`SELECT status, name FROM vector_store WHERE id = $1`, [first.id]);
    expect(row.status).toBe('deleting');
    expect(row.name).not.toBe('Changed remotely');

    await h.openai.vectorStores.delete(first.external_id);
    await sync();
    const [still] = await h.db.query(`SELECT status FROM vector_store WHERE id = $1`, [first.id]);
    expect(still.status).toBe('deleting'); // the deletion queue removes it, not sync
  });

  it('syncs one store on request, and answers NotFound/Validation for unknown or local stores', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 3, filesPerStore: 2 });
    await sync();
    const [row] = await h.db.query(`SELECT id, external_id FROM vector_store ORDER BY external_id LIMIT 1`);
    const extra = await upload('one-more.txt');
    await h.openai.vectorStores.files.create(row.external_id, { file_id: extra.id });
    await settle();

    const run = await h.services.sync.runSync({
      accountId: h.accountId,
      trigger: 'MANUAL',
      vectorStoreId: row.id,
    });
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      vectorStoreId: row.id,
      storesTotal: 1,
      filesCreated: 1,
    });
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));

    const local = await createVectorStore(h.db, h.accountId);
    await expect(
      h.services.sync.startSync({ accountId: h.accountId, trigger: 'MANUAL', vectorStoreId: local.id }),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      h.services.sync.startSync({
        accountId: h.accountId,
        trigger: 'MANUAL',
        vectorStoreId: crypto.randomUUID(),
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('incremental sync', () => {
  it('re-lists only stores whose summary changed, and everything on every Nth run', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 30, filesPerStore: 2, orphanFiles: 3 });
    await h.db.query(`UPDATE account SET full_sync_every = 3 WHERE id = $1`, [h.accountId]);
    const first = await sync();
    expect(first.full).toBe(true);

    h.emulator.emulator.resetStats();
    const quiet = await sync();
    expect(quiet).toMatchObject({ full: false, status: 'SUCCEEDED', storesUpdated: 0, filesCreated: 0 });
    // One page of stores and one page of Files: no store is listed again.
    expect(h.emulator.emulator.stats().byRoute['GET /v1/vector_stores/{vector_store_id}/files'] ?? 0).toBe(0);
    expect(quiet.requests).toBe(2);

    // A change the summary does not show (here: a link edited behind sync's back) waits for the next
    // full pass. A new file moves its store's summary: that store alone is listed again.
    const [store, other] = (await h.openai.vectorStores.list({ limit: 2 })).data;
    await h.db.query(
      `UPDATE vector_store_file SET attributes = '{"stale": true}'
        WHERE vector_store_id = (SELECT id FROM vector_store WHERE external_id = $1)`,
      [store!.id],
    );
    const extra = await upload('changed.txt');
    await h.openai.vectorStores.files.create(other!.id, { file_id: extra.id });
    await settle();
    h.emulator.emulator.resetStats();
    const third = await sync();
    expect(third).toMatchObject({ full: false, filesCreated: 1, filesUpdated: 0, requests: 3 });
    expect(h.emulator.emulator.stats().byRoute['GET /v1/vector_stores/{vector_store_id}/files']).toBe(1);
    expect(await mirrorState(h.db, h.accountId)).not.toEqual(await remoteState(h.openai));

    const fourth = await sync();
    expect(fourth).toMatchObject({ full: true, filesCreated: 0, filesUpdated: 2 });
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
  });
});
