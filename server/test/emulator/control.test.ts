import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, seedDemoData, type SeedResult, type Stats } from '../../src/emulator/index.ts';
import { startTestEmulator, type TestEmulator } from './helpers.ts';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());
afterEach(() => expect(emu.log.failures).toEqual([]));

const newKey = (): string => `sk-${randomUUID()}`;

describe('control API', () => {
  it('counts /v1 requests by route template until DELETE /__emulator/stats', async () => {
    await emu.control('DELETE', 'stats');
    const client = emu.client(newKey());
    const store = await client.vectorStores.create({});
    await client.vectorStores.files.list(store.id);
    await client.vectorStores.files.list(store.id);
    await emu.raw('GET', '/nowhere');
    const stats = await emu.control<Stats>('GET', 'stats');
    expect(stats).toEqual({
      total: 4,
      byRoute: { 'POST /v1/vector_stores': 1, 'GET /v1/vector_stores/{vector_store_id}/files': 2 },
    });
    expect(await emu.control('DELETE', 'stats')).toEqual({ total: 0, byRoute: {} });
  });

  it('reads, sets and advances the clock; objects take their timestamps from it', async () => {
    const { now } = await emu.control<{ now: number }>('GET', 'clock');
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(5);
    expect(await emu.control('POST', 'clock', { now: 2_000_000_000 })).toEqual({ now: 2_000_000_000 });
    const advanced = await emu.control<{ now: number }>('POST', 'clock', { advanceSeconds: 60 });
    expect(advanced.now - 2_000_000_060).toBeLessThanOrEqual(1);
    const store = await emu.client(newKey()).vectorStores.create({});
    expect(store.created_at - 2_000_000_060).toBeLessThanOrEqual(1);
    await expect(emu.control('POST', 'clock', {})).rejects.toThrow(/400/);
    await emu.control('POST', 'clock', { now: Math.floor(Date.now() / 1000) });
  });

  // How fast seeding is belongs to the emulator bench (`pnpm bench`), not to a test on a shared machine.
  it('seeds 100,000 Files and 5,000 stores, with the counts it reports', async () => {
    const apiKey = newKey();
    const result = await emu.control<SeedResult>('POST', 'seed', {
      apiKey,
      stores: 5000,
      filesPerStore: 20,
      orphanFiles: 7,
      expiringStores: 3,
      expiredStores: 2,
      failedFiles: 4,
    });
    expect(result).toEqual({
      stores: 5005,
      expiringStores: 3,
      expiredStores: 2,
      files: 5005 * 20 + 7 + 4,
      vectorStoreFiles: 5003 * 20 + 4,
      orphanFiles: 7,
      failedFiles: 4,
    });
    const client = emu.client(apiKey);
    let files = 0;
    for await (const _file of client.files.list({ limit: 10_000 })) files++;
    expect(files).toBe(result.files);
    const statuses: Record<string, number> = {};
    let failed = 0;
    let attached = 0;
    for await (const store of client.vectorStores.list({ limit: 100 })) {
      statuses[store.status] = (statuses[store.status] ?? 0) + 1;
      failed += store.file_counts.failed;
      attached += store.file_counts.total;
      if (store.status === 'expired') expect(store.file_counts.total).toBe(0);
    }
    expect(statuses).toEqual({ completed: 5003, expired: 2 });
    expect(failed).toBe(4);
    expect(attached).toBe(result.vectorStoreFiles);
  });

  it('resets everything: all keys, faults, stats and the clock', async () => {
    const apiKey = newKey();
    await emu.client(apiKey).vectorStores.create({});
    await emu.control('POST', 'faults', { latencyMs: 1 });
    await emu.control('POST', 'clock', { advanceSeconds: 86_400 });
    expect(await emu.control('POST', 'reset')).toEqual({});
    expect((await emu.client(apiKey).vectorStores.list()).data).toEqual([]);
    expect(await emu.control('GET', 'faults')).toEqual({});
    const { now } = await emu.control<{ now: number }>('GET', 'clock');
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(5);
    expect((await emu.control<Stats>('GET', 'stats')).total).toBe(1);
  });

  it('seeds believable demo data: a dozen stores, some expiring, one expired, failed files, orphans', () => {
    const emulator = createEmulator({ attachDelayMs: 0 });
    const summary = seedDemoData(emulator, 'sk-demo');
    const account = emulator.account('sk-demo');
    const stores = account.stores.values();
    expect(summary.stores).toBe(stores.length);
    expect(stores.length).toBeGreaterThanOrEqual(10);
    expect(stores.map((s) => s.name)).toContain('Support KB');
    expect(stores.filter((s) => s.expiredAt !== null)).toHaveLength(1);
    const now = emulator.clock.now();
    expect(
      stores.filter(
        (s) =>
          s.expiredAt === null &&
          s.expiresAfter !== null &&
          s.lastActiveAt + s.expiresAfter.days * 86_400 < now + 3 * 86_400,
      ).length,
    ).toBeGreaterThanOrEqual(1);
    expect(stores.reduce((n, s) => n + s.files.withStatus('failed').size, 0)).toBeGreaterThan(0);
    expect(account.files.values().filter((f) => f.attachments.size === 0).length).toBeGreaterThanOrEqual(4);
  });
});
