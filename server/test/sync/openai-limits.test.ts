import { afterEach, describe, expect, it } from 'vitest';
import { createSyncHarness, mirrorState, remoteState, type SyncHarness } from './harness.ts';

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('OpenAI limits found by the sync', () => {
  it('learns a rate from 429s, records it with the 429s on the run, and still mirrors exactly', async () => {
    // The bound on requests in flight is high: only OpenAI's answers can hold the sync back.
    h = await createSyncHarness({ concurrency: 64 });
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 200, filesPerStore: 1 });
    // A second of burst, then 40 requests a second for this key.
    h.emulator.emulator.setFaults({ rateLimitPerSecond: 40 });
    const run = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.throttled).toBeGreaterThan(0);
    expect(run.retries).toBeGreaterThanOrEqual(run.throttled);
    expect(run.rateLimit).not.toBeNull();
    expect(run.rateLimit!).toBeLessThan(80);
    expect(run.concurrencyLimit).toBeGreaterThanOrEqual(1);
    const [row] = await h.db.query(
      `SELECT throttled, concurrency_limit, rate_limit FROM sync_run WHERE id = $1`,
      [run.id],
    );
    expect(row).toEqual({
      throttled: run.throttled,
      concurrency_limit: run.concurrencyLimit,
      rate_limit: run.rateLimit,
    });
    h.emulator.emulator.setFaults({});
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
  });

  it('without 429s sets no rate and grows the number of requests in flight beyond where it starts', async () => {
    h = await createSyncHarness({ concurrency: 64 });
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 200, filesPerStore: 1 });
    h.emulator.emulator.setFaults({ latencyMs: 10 });
    const run = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });

    expect(run.status).toBe('SUCCEEDED');
    expect(run).toMatchObject({ throttled: 0, rateLimit: null });
    expect(run.concurrencyLimit).toBeGreaterThan(4);
  });
});
