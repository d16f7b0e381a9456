import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListingLedger } from '../../src/services/sync/listing-ledger.ts';
import { createAccount } from '../factories/index.ts';
import { createSyncHarness, mirrorState, remoteState, type SyncHarness } from './harness.ts';

let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness();
});
afterEach(async () => {
  await h.close();
});

const ledgerRows = async (runId?: string) =>
  (
    await h.db.query(`SELECT count(*)::int AS n FROM sync_listed_id WHERE $1::uuid IS NULL OR run_id = $1`, [
      runId ?? null,
    ])
  )[0].n as number;

describe('the listing ledger (the ids a run listed, kept in PostgreSQL)', () => {
  it('tells which ids a run records for the first time, per kind', async () => {
    const ledger = new ListingLedger(h.db, randomUUID());
    expect([...(await ledger.recordFirstSeen('s', ['vs_a', 'vs_b', 'vs_a']))].sort()).toEqual([
      'vs_a',
      'vs_b',
    ]);
    expect([...(await ledger.recordFirstSeen('s', ['vs_b', 'vs_c']))]).toEqual(['vs_c']);
    // The same id as a File is another object.
    expect([...(await ledger.recordFirstSeen('f', ['vs_a']))]).toEqual(['vs_a']);
    expect(await ledgerRows(ledger.runId)).toBe(4);
    await ledger.clear();
    expect(await ledgerRows(ledger.runId)).toBe(0);
  });

  it('records a whole page of Files, however many statements it takes, each id once', async () => {
    const ledger = new ListingLedger(h.db, randomUUID());
    const ids = Array.from({ length: 10_000 }, (_, i) => `file-${i}`);
    await ledger.record('f', [...ids, 'file-0', 'file-9999']);
    expect(await ledgerRows(ledger.runId)).toBe(10_000);
    expect([...(await ledger.recordFirstSeen('f', ['file-0', 'file-9999', 'file-new']))]).toEqual([
      'file-new',
    ]);
    await ledger.clear();
  });

  it('feeds the sweeps: stores and Files deleted in OpenAI leave the mirror, and the run leaves no ids behind', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 4, filesPerStore: 2, orphanFiles: 3 });
    await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    const stores = [];
    for await (const store of h.openai.vectorStores.list()) stores.push(store);
    await h.openai.vectorStores.delete(stores[0]!.id);
    const files = await h.openai.files.list();
    const unattached = files.data.find((file) => file.filename.includes('orphan')) ?? files.data.at(-1)!;
    await h.openai.files.delete(unattached.id);

    const run = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.storesRemoved).toBe(1);
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
    expect(await ledgerRows()).toBe(0);
  });

  it("drops what a dead run left behind when the next run starts, and keeps another account's running run's ids", async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 1, filesPerStore: 1 });
    const other = await createAccount(h.db);
    const run = (accountId: string, status: string) =>
      h.db
        .query(
          `INSERT INTO sync_run (account_id, trigger, status, started_at) VALUES ($1, 'MANUAL', $2, now()) RETURNING id`,
          [accountId, status],
        )
        .then(([row]) => row.id as string);
    const dead = await run(h.accountId, 'FAILED');
    const running = await run(other.id, 'RUNNING');
    await new ListingLedger(h.db, dead).record('f', ['file-left-behind']);
    await new ListingLedger(h.db, running).record('f', ['file-being-listed']);

    expect((await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' })).status).toBe(
      'SUCCEEDED',
    );

    expect(await ledgerRows(dead)).toBe(0);
    expect(await ledgerRows(running)).toBe(1);
  });
});
