import OpenAI, { toFile } from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncHarness, mirrorState, primaryRows, remoteState, type SyncHarness } from './harness.ts';
import { createVectorStore } from '../factories/index.ts';
import { reportFaultSeedOnFailure } from '../support/fault-seed.ts';

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const STORES_ROUTE = 'GET /v1/vector_stores';

describe('sync under failure', () => {
  it('removes nothing when the stores listing fails midway, then converges once OpenAI recovers', async () => {
    // The SDK's own fetch, wrapped to turn the emulator's faults on right after the second page of
    // stores: every later attempt of the listing fails, whatever the retries.
    let storePages = 0;
    h = await createSyncHarness({
      createClient: (connection, timeout) =>
        new OpenAI({
          apiKey: connection.apiKey,
          baseURL: connection.baseURL!,
          maxRetries: 0,
          timeout,
          fetch: async (url, init) => {
            const response = await fetch(url, init);
            const path = new URL(String(url)).pathname;
            if (path === '/v1/vector_stores' && response.ok && ++storePages === 2) {
              h!.emulator.emulator.setFaults({ errorRates: { '500': 1 }, routes: [STORES_ROUTE] });
            }
            return response;
          },
        }),
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000 },
    });
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 350, filesPerStore: 1 });
    await createVectorStore(h.db, h.accountId);
    storePages = -100; // the first sync runs without faults
    expect((await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' })).status).toBe(
      'SUCCEEDED',
    );

    // Ten stores disappear in OpenAI; the next listing breaks after page 2 of 4.
    const doomed = (await h.openai.vectorStores.list({ limit: 10 })).data.map((s) => s.id);
    for (const id of doomed) await h.openai.vectorStores.delete(id);
    storePages = 0;
    const before = await primaryRows(h.db);
    const broken = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });

    expect(broken.status).toBe('FAILED');
    expect(broken).toMatchObject({ storesRemoved: 0, filesRemoved: 0 });
    expect(broken.errors.some((e) => e.vectorStoreExternalId === null && /500/.test(e.message))).toBe(true);
    expect(await h.db.query(`SELECT count(*)::int AS n FROM vector_store WHERE source = 'cache'`)).toEqual([
      { n: 350 },
    ]);
    expect(await primaryRows(h.db)).toBe(before);

    h.emulator.emulator.setFaults({});
    storePages = -100;
    const healed = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(healed).toMatchObject({ status: 'SUCCEEDED', storesRemoved: 10 });
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
  });

  it('keeps Files when the Files listing fails, and a failing store does not stop the others (PARTIAL)', async () => {
    h = await createSyncHarness({
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000 },
    });
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 3, filesPerStore: 2, orphanFiles: 2 });
    await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    const orphan = (await h.openai.files.list()).data.find((f) => f.filename.endsWith('.txt'))!;
    await h.openai.files.delete(orphan.id);

    h.emulator.emulator.setFaults({ errorRates: { '503': 1 }, routes: ['GET /v1/files'] });
    const run = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(run.status).toBe('FAILED');
    expect(
      await h.db.query(`SELECT count(*)::int AS n FROM file WHERE external_id = $1`, [orphan.id]),
    ).toEqual([{ n: 1 }]);

    // Every store changes, and listing any store's files fails: each failure is recorded on its own.
    h.emulator.emulator.setFaults({
      errorRates: { '500': 1 },
      routes: ['GET /v1/vector_stores/{vector_store_id}/files'],
    });
    const file = await h.openai.files.create({
      file: await toFile(Buffer.from('x'), 'x.txt'),
      purpose: 'assistants',
    });
    const stores = (await h.openai.vectorStores.list()).data;
    for (const store of stores) await h.openai.vectorStores.files.create(store.id, { file_id: file.id });
    await sleep(20);
    const partial = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(partial.status).toBe('PARTIAL');
    expect(partial.errors.map((e) => e.vectorStoreExternalId).sort()).toEqual(stores.map((s) => s.id).sort());
    expect(partial.storesDone).toBe(3);

    h.emulator.emulator.setFaults({});
    expect((await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' })).status).toBe(
      'SUCCEEDED',
    );
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
  });

  it('retries list answers that break off halfway, and converges to the exact remote state', async () => {
    h = await createSyncHarness({ concurrency: 6 });
    reportFaultSeedOnFailure(h.emulator.emulator);
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 30, filesPerStore: 4, orphanFiles: 20 });
    h.emulator.emulator.setFaults({
      cutRate: 0.2,
      routes: ['GET /v1/vector_stores', 'GET /v1/vector_stores/{vector_store_id}/files', 'GET /v1/files'],
    });

    const run = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(run.errors).toEqual([]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.retries).toBeGreaterThan(0);

    h.emulator.emulator.setFaults({});
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
  });

  it('converges to the exact remote state with 10% 5xx, 5% 429 and connection resets', async () => {
    h = await createSyncHarness({ concurrency: 6 });
    reportFaultSeedOnFailure(h.emulator.emulator);
    h.emulator.emulator.seed({
      apiKey: h.apiKey,
      stores: 60,
      filesPerStore: 4,
      orphanFiles: 30,
      failedFiles: 5,
    });
    h.emulator.emulator.setFaults({ errorRates: { '500': 0.05, '503': 0.05, '429': 0.05 }, resetRate: 0.02 });

    const first = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(first.status).toBe('SUCCEEDED');
    expect(first.retries).toBeGreaterThan(0);
    expect(first.requests).toBeGreaterThan(first.retries);

    // Change things under the same weather, then sync again.
    h.emulator.emulator.setFaults({});
    const stores = (await h.openai.vectorStores.list({ limit: 100 })).data;
    for (const store of stores.slice(0, 5)) await h.openai.vectorStores.delete(store.id);
    for (const store of stores.slice(5, 10))
      await h.openai.vectorStores.update(store.id, { name: `${store.name} v2` });
    await sleep(20);
    h.emulator.emulator.setFaults({ errorRates: { '500': 0.05, '503': 0.05, '429': 0.05 }, resetRate: 0.02 });
    const second = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(second).toMatchObject({ status: 'SUCCEEDED', storesRemoved: 5 });

    h.emulator.emulator.setFaults({});
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
  });
});
