import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GIB } from '../../src/domain/storage-cost.ts';
import type { PageRequest } from '../../src/services/keyset.ts';
import { encodeCursor } from '../../src/services/keyset.ts';
import { OrphanService, orphanFileSortKey } from '../../src/services/orphan.service.ts';
import { createAccount, createVectorStore } from '../factories/index.ts';
import { createFile, linkFile, queueFileDeletion } from '../factories/orphans.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
const now = new Date('2026-02-01T00:00:00.000Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const firstPage = (limit = 100): PageRequest => ({ limit, inverted: false });

let service: OrphanService;

beforeAll(async () => {
  database = await createTestDatabase();
  service = new OrphanService(database.dataSource, () => now);
});
afterAll(async () => database.drop());

async function newAccount(graceHours?: number) {
  return createAccount(database.dataSource, graceHours === undefined ? {} : { orphanGraceHours: graceHours });
}

async function orphanNames(accountId: string): Promise<string[]> {
  const orphans = await service.listOrphanFiles(accountId, firstPage());
  // The totals are a query of their own (set-based): they must count exactly what the list holds.
  expect(await service.orphanTotals(accountId)).toEqual({
    count: orphans.length,
    bytes: orphans.reduce((sum, o) => sum + o.file.bytes, 0),
  });
  return orphans.map((o) => o.file.filename);
}

describe('which Files are orphans', () => {
  it('an attached File is not; the same File detached is', async () => {
    const db = database.dataSource;
    const account = await newAccount();
    const store = await createVectorStore(db, account.id, { source: 'cache' });
    const attached = await createFile(db, account.id, { filename: 'attached.txt' });
    await linkFile(db, store.id, attached.id);
    await createFile(db, account.id, { filename: 'loose.txt' });
    expect(await orphanNames(account.id)).toEqual(['loose.txt']);

    await db.query('DELETE FROM vector_store_file WHERE file_id = $1', [attached.id]);
    expect((await orphanNames(account.id)).sort()).toEqual(['attached.txt', 'loose.txt']);
  });

  it('only purposes assistants and user_data', async () => {
    const db = database.dataSource;
    const account = await newAccount();
    for (const purpose of [
      'assistants',
      'user_data',
      'batch',
      'batch_output',
      'fine-tune',
      'vision',
      'assistants_output',
    ]) {
      await createFile(db, account.id, { filename: purpose, purpose });
    }
    expect((await orphanNames(account.id)).sort()).toEqual(['assistants', 'user_data']);
  });

  it('respects the grace period: strictly older than now − grace', async () => {
    const db = database.dataSource;
    const account = await newAccount(); // default 24 h
    expect(account.orphanGraceHours).toBe(24);
    await createFile(db, account.id, { filename: 'fresh', fileCreatedAt: hoursAgo(1) });
    await createFile(db, account.id, { filename: 'exactly-24h', fileCreatedAt: hoursAgo(24) });
    await createFile(db, account.id, {
      filename: 'just-over',
      fileCreatedAt: new Date(hoursAgo(24).getTime() - 1),
    });
    expect(await orphanNames(account.id)).toEqual(['just-over']);

    const impatient = await newAccount(1);
    await createFile(db, impatient.id, { filename: 'two-hours-old', fileCreatedAt: hoursAgo(2) });
    await createFile(db, impatient.id, { filename: 'half-hour-old', fileCreatedAt: hoursAgo(0.5) });
    expect(await orphanNames(impatient.id)).toEqual(['two-hours-old']);
  });

  it('leaves out Files already queued for deletion (kind FILE, same account)', async () => {
    const db = database.dataSource;
    const account = await newAccount();
    const other = await newAccount();
    const queued = await createFile(db, account.id, { filename: 'queued' });
    const queuedElsewhere = await createFile(db, account.id, { filename: 'queued-in-other-account' });
    await createFile(db, account.id, { filename: 'not-queued' });
    await queueFileDeletion(db, account.id, queued.externalId!);
    await queueFileDeletion(db, other.id, queuedElsewhere.externalId!);
    expect((await orphanNames(account.id)).sort()).toEqual(['not-queued', 'queued-in-other-account']);
  });

  it('is per account: a link to another account’s store does not hide an orphan, nor list the other’s Files', async () => {
    const db = database.dataSource;
    const mine = await newAccount();
    const theirs = await newAccount();
    const theirStore = await createVectorStore(db, theirs.id, { source: 'cache' });
    const myFile = await createFile(db, mine.id, { filename: 'mine-linked-elsewhere' });
    await linkFile(db, theirStore.id, myFile.id); // should never happen; must not hide my orphan
    await createFile(db, theirs.id, { filename: 'theirs-loose' });
    expect(await orphanNames(mine.id)).toEqual(['mine-linked-elsewhere']);
    expect(await orphanNames(theirs.id)).toEqual(['theirs-loose']);
  });

  it('reports the age at the clock’s now', async () => {
    const account = await newAccount();
    await createFile(database.dataSource, account.id, { fileCreatedAt: hoursAgo(36) });
    const [orphan] = await service.listOrphanFiles(account.id, firstPage());
    expect(orphan!.ageSeconds).toBe(36 * 3600);
  });
});

describe('totals and paging', () => {
  it('counts and sums every orphan in one aggregate, and paging walks each once, oldest first', async () => {
    const db = database.dataSource;
    const account = await newAccount();
    const store = await createVectorStore(db, account.id, { source: 'cache' });
    const expected: string[] = [];
    let bytes = 0;
    for (let i = 0; i < 23; i++) {
      // Pairs share a creation time, so the id must break ties for the walk to be exact.
      const file = await createFile(db, account.id, {
        filename: `orphan-${i}`,
        bytes: 1000 + i,
        fileCreatedAt: hoursAgo(100 - Math.floor(i / 2)),
      });
      expected.push(file.id);
      bytes += file.bytes;
    }
    const attached = await createFile(db, account.id, { bytes: 10 ** 9 });
    await linkFile(db, store.id, attached.id);

    expect(await service.orphanTotals(account.id)).toEqual({ count: 23, bytes });

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await service.listOrphanFiles(account.id, { limit: 5, inverted: false, after });
      if (page.length === 0) break;
      seen.push(...page.map((o) => o.file.id));
      after = encodeCursor(orphanFileSortKey, page.at(-1)!.file);
    }
    expect(new Set(seen).size).toBe(23);
    const all = await service.listOrphanFiles(account.id, firstPage());
    expect(seen).toEqual(all.map((o) => o.file.id));
    const times = all.map((o) => o.file.fileCreatedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(seen.sort()).toEqual(expected.sort());
  });

  it('totals are zero for an account without orphans', async () => {
    const account = await newAccount();
    expect(await service.orphanTotals(account.id)).toEqual({ count: 0, bytes: 0 });
  });
});

describe('storage cost', () => {
  it('is free up to exactly 1 GiB and $0.10 per GiB-day beyond, per account', async () => {
    const db = database.dataSource;
    const account = await newAccount();
    const mirror = (usageBytes: number, extra = {}) =>
      createVectorStore(db, account.id, { source: 'cache', usageBytes, ...extra });

    expect(await service.storageCost(account.id)).toMatchObject({
      totalUsageBytes: 0,
      billableBytes: 0,
      estimatedDailyCostUsd: 0,
      freeBytes: GIB,
    });

    await mirror(GIB); // exactly the free allowance
    expect(await service.storageCost(account.id)).toMatchObject({
      totalUsageBytes: GIB,
      billableBytes: 0,
      estimatedDailyCostUsd: 0,
      storesWithoutExpiration: 1,
      bytesWithoutExpiration: GIB,
    });

    await mirror(1, { expirationDays: 7 }); // one byte over: billed, but this store expires
    const oneByteOver = await service.storageCost(account.id);
    expect(oneByteOver).toMatchObject({
      billableBytes: 1,
      storesWithoutExpiration: 1,
      bytesWithoutExpiration: GIB,
    });
    expect(oneByteOver.estimatedDailyCostUsd).toBeCloseTo(0.1 / GIB, 20);
    expect(oneByteOver.estimatedDailyCostUsd).toBeGreaterThan(0);

    await mirror(GIB - 1, { status: 'deleting' }); // still billed until OpenAI confirms
    // Not billed by OpenAI: local stores, expired stores, another account.
    await createVectorStore(db, account.id, { usageBytes: 50 * GIB });
    await mirror(50 * GIB, { status: 'expired' });
    await createVectorStore(db, (await newAccount()).id, { source: 'cache', usageBytes: 50 * GIB });

    expect(await service.storageCost(account.id)).toEqual({
      storesWithoutExpiration: 2,
      bytesWithoutExpiration: 2 * GIB - 1,
      totalUsageBytes: 2 * GIB,
      freeBytes: GIB,
      billableBytes: GIB,
      estimatedDailyCostUsd: 0.1,
    });
  });
});
