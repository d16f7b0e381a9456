import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAccount, createToken } from '../factories/index.ts';
import { queueFileDeletion } from '../factories/orphans.ts';
import { createTestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createHarnessApp, createSyncHarness, type SyncHarness } from '../sync/harness.ts';
import { STORAGE_QUOTA_DEFAULT_BYTES } from '../../src/domain/storage-cost.ts';

let h: SyncHarness | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await h?.close();
  await database?.drop();
  h = undefined;
  database = undefined;
});

const HISTORY = /* GraphQL */ `
  query ($range: UsageRange!, $resolution: UsageResolution!) {
    viewer {
      account {
        storageQuotaBytes
        usageHistory(range: $range, resolution: $resolution) {
          at
          mirrorStores
          localStores
          files
          fileBytes
          usageBytes
          billableBytes
          estimatedDailyCostUsd
          orphanFiles
          orphanBytes
          storesWithoutExpiration
          storesWithCountDrift
          runs
          syncDurationMs
          syncRequests
        }
      }
    }
  }
`;

/** The history's columns back into one object per point (every column has one value per point). */
function rowsOf(columns: Record<string, unknown[]>): Array<Record<string, any>> {
  const lengths = new Set(Object.values(columns).map((values) => values.length));
  expect(lengths.size).toBe(1);
  return columns.at!.map((_, i) =>
    Object.fromEntries(Object.entries(columns).map(([key, values]) => [key, values[i]])),
  );
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

async function graphqlAs(harness: SyncHarness, token: string, query: string, variables = {}) {
  const response = await createHarnessApp(harness).fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: any }> };
}

describe('usage points written by syncs', () => {
  it('adds one point per completed sync with the levels the mirror holds and the run counters', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 4, filesPerStore: 3, orphanFiles: 2 });
    const first = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    // A store without expiration gains a File between the runs: the second point sees it.
    const store = await h.openai.vectorStores.create({ name: 'grows' });
    const file = await h.openai.files.create({
      file: new File(['x'.repeat(5000)], 'five-k.txt'),
      purpose: 'assistants',
    });
    await h.openai.vectorStores.files.createAndPoll(store.id, { file_id: file.id });
    const second = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);

    const token = await createToken(h.db, h.accountId, 'VIEWER');
    const body = await graphqlAs(h, token, HISTORY, { range: 'DAY', resolution: 'RUN' });
    expect(body.errors).toBeUndefined();
    const [before, last, ...more] = rowsOf(body.data.viewer.account.usageHistory);
    expect(more).toEqual([]);

    // The truth, read from OpenAI (the emulator) with the plain SDK.
    let usageBytes = 0;
    let stores = 0;
    for await (const s of h.openai.vectorStores.list({ limit: 100 })) {
      stores += 1;
      usageBytes += s.usage_bytes;
    }
    let files = 0;
    let fileBytes = 0;
    for await (const f of h.openai.files.list()) {
      files += 1;
      fileBytes += f.bytes;
    }
    const orphans = await graphqlAs(h, token, '{ orphanFiles { totalCount totalBytes } }');
    expect(last).toMatchObject({
      mirrorStores: stores,
      localStores: 0,
      files,
      fileBytes,
      usageBytes,
      billableBytes: Math.max(0, usageBytes - 2 ** 30),
      orphanFiles: orphans.data.orphanFiles.totalCount,
      orphanBytes: orphans.data.orphanFiles.totalBytes,
      storesWithCountDrift: 0,
      runs: 1,
      syncRequests: second.requests,
      syncDurationMs: second.finishedAt!.getTime() - second.startedAt.getTime(),
    });
    expect(stores).toBe(5);
    // The run counts orphans by the Orphans page's rule, and the point takes the run's count.
    expect(orphans.data.orphanFiles.totalCount).toBeGreaterThan(0);
    expect(second.orphansFound).toBe(orphans.data.orphanFiles.totalCount);
    expect(last!.storesWithoutExpiration).toBeGreaterThanOrEqual(1);
    expect(before).toMatchObject({ mirrorStores: 4, files: files - 1, fileBytes: fileBytes - 5000 });
    expect(before!.syncRequests).toBe(first.requests);
    expect(new Date(last!.at).getTime()).toBe(second.finishedAt!.getTime());
    expect(body.data.viewer.account.storageQuotaBytes).toBe(STORAGE_QUOTA_DEFAULT_BYTES);
  });

  it('counts as orphans neither Files queued for deletion, in the run nor in its point', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 1, filesPerStore: 1, orphanFiles: 3 });
    const first = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(first.orphansFound).toBe(3);
    const [orphan] = await h.db.query(
      `SELECT f.external_id FROM file f WHERE f.account_id = $1
          AND NOT EXISTS (SELECT 1 FROM vector_store_file l WHERE l.file_id = f.id) LIMIT 1`,
      [h.accountId],
    );
    await queueFileDeletion(h.db, h.accountId, orphan.external_id);

    const second = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });

    expect(second.orphansFound).toBe(2);
    const [point] = await h.db.query(
      `SELECT orphan_files FROM usage_point WHERE account_id = $1 ORDER BY at DESC LIMIT 1`,
      [h.accountId],
    );
    expect(point.orphan_files).toBe(2);
  });

  it('logs a point that cannot be written and still ends the run as it went; a failed run adds none', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    h = await createSyncHarness({}, undefined, { logger: pino({ level: 'info' }, sink) });
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 2, filesPerStore: 1 });
    // PostgreSQL itself refuses the point (no mock): the run must not notice.
    await h.db.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN RAISE EXCEPTION 'no points today'; END $$`);
    await h.db.query(
      `CREATE TRIGGER refuse BEFORE INSERT ON usage_point FOR EACH ROW EXECUTE FUNCTION refuse()`,
    );
    const run = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(run.status).toBe('SUCCEEDED');
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; runId?: string; err?: any });
    const entry = logged.find((line) => line.msg === 'Could not record the usage point of a sync run');
    expect(entry?.runId).toBe(run.id);
    expect(JSON.stringify(entry?.err)).toContain('no points today');

    await h.db.query(`DROP TRIGGER refuse ON usage_point`);
    h.emulator.emulator.revokeKey(h.apiKey);
    const failed = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    expect(failed.status).toBe('FAILED');
    const [{ count }] = await h.db.query(`SELECT count(*)::int AS count FROM usage_point`);
    expect(count).toBe(0);
  });
});

/** Inserts synthetic points (test data, as a sync would leave them) and returns them. */
async function insertPoints(
  db: TestDatabase['dataSource'],
  accountId: string,
  points: Array<{ at: Date; fileBytes: number; requests: number; durationMs: number }>,
) {
  await db.query(
    `INSERT INTO usage_point (account_id, at, mirror_stores, local_stores, files, file_bytes, usage_bytes,
                              billable_bytes, estimated_daily_cost_usd, orphan_files, orphan_bytes,
                              stores_without_expiration, stores_with_count_drift, runs, duration_ms, requests)
     SELECT $1, p.at, 1, 0, 1, p.file_bytes, p.file_bytes, 0, 0, 0, 0, 0, 0, 1, p.duration_ms, p.requests
       FROM jsonb_to_recordset($2::jsonb) AS p(at timestamptz, file_bytes bigint, duration_ms bigint, requests int)`,
    [
      accountId,
      JSON.stringify(
        points.map((p) => ({
          at: p.at.toISOString(),
          file_bytes: p.fileBytes,
          duration_ms: p.durationMs,
          requests: p.requests,
        })),
      ),
    ],
  );
}

describe('thinning', () => {
  it('keeps one point per hour after a day and per day after 30 days, with totals and last levels intact', async () => {
    database = await createTestDatabase();
    const { services } = createTestApp(database);
    const account = await createAccount(database.dataSource);
    const other = await createAccount(database.dataSource);
    const now = new Date('2026-06-30T12:00:00.000Z');
    // Every 10 minutes for 60 days: 8,640 runs, each with its own counters and level.
    const points = Array.from({ length: 60 * 144 }, (_, i) => ({
      at: new Date(now.getTime() - i * 600_000 - 1000),
      fileBytes: 1_000_000 + i,
      requests: (i % 7) + 1,
      durationMs: 100 + (i % 13),
    }));
    await insertPoints(database.dataSource, account.id, points);
    await insertPoints(database.dataSource, other.id, points.slice(0, 500));
    const totals = `SELECT count(*)::int AS n, sum(runs)::int AS runs, sum(requests)::int AS requests,
                           sum(duration_ms)::int AS duration FROM usage_point WHERE account_id = $1`;
    const [before] = await database.dataSource.query(totals, [account.id]);

    const removed = await services.usage.thin(account.id, now);
    const [after] = await database.dataSource.query(totals, [account.id]);
    expect({ runs: after.runs, requests: after.requests, duration: after.duration }).toEqual({
      runs: before.runs,
      requests: before.requests,
      duration: before.duration,
    });
    expect(before.runs).toBe(8640);
    expect(after.n).toBe(before.n - removed);

    // Expected buckets, counted in JavaScript from the same points.
    const bucketOf = (at: Date) => {
      const age = now.getTime() - at.getTime();
      if (age <= DAY) return `run ${at.toISOString()}`;
      if (age <= 30 * DAY) return `hour ${at.toISOString().slice(0, 13)}`;
      return `day ${at.toISOString().slice(0, 10)}`;
    };
    const buckets = new Map<string, (typeof points)[number][]>();
    for (const p of points) buckets.set(bucketOf(p.at), [...(buckets.get(bucketOf(p.at)) ?? []), p]);
    expect(after.n).toBe(buckets.size);

    // Each kept point is its bucket's last, carrying the bucket's sums.
    const kept: Array<{ at: Date; file_bytes: string; runs: number; requests: number }> =
      await database.dataSource.query(
        `SELECT at, file_bytes, runs, requests FROM usage_point WHERE account_id = $1`,
        [account.id],
      );
    for (const row of kept) {
      const members = buckets.get(bucketOf(row.at))!;
      const lastOf = members.reduce((a, b) => (a.at > b.at ? a : b));
      expect(row.at.getTime()).toBe(lastOf.at.getTime());
      expect(Number(row.file_bytes)).toBe(lastOf.fileBytes);
      expect(row.runs).toBe(members.length);
      expect(row.requests).toBe(members.reduce((sum, p) => sum + p.requests, 0));
    }

    // Thinning again changes nothing; the other account's points were not touched.
    expect(await services.usage.thin(account.id, now)).toBe(0);
    const [{ n: others }] = await database.dataSource.query(
      `SELECT count(*)::int AS n FROM usage_point WHERE account_id = $1`,
      [other.id],
    );
    expect(others).toBe(500);

    // The daily history of the last 60 days sums the same requests as the raw points did.
    const daily = await services.usage.history(account.id, 'QUARTER', 'DAY', now);
    expect(daily.reduce((sum, p) => sum + p.requests, 0)).toBe(before.requests);
    expect(daily.reduce((sum, p) => sum + p.runs, 0)).toBe(8640);
    expect(daily.length).toBe(61); // 60 days back from noon touch 61 UTC days
  });
});

describe('forecast', () => {
  const FORECAST = /* GraphQL */ `
    query ($quota: Float, $window: UsageRange!) {
      viewer {
        account {
          usageForecast(quotaBytes: $quota, window: $window) {
            points
            slopeBytesPerDay
            currentBytes
            reachesQuotaAt
          }
        }
      }
    }
  `;

  it('returns the date a straight line of growth reaches the quota, and null when not growing', async () => {
    database = await createTestDatabase();
    const t = createTestApp(database);
    const account = await createAccount(database.dataSource);
    const token = await createToken(database.dataSource, account.id, 'VIEWER');
    const now = Date.now();
    // 1 GB a day for the last 10 days, a point every hour, with noise that cancels out.
    const GB = 1e9;
    const series = Array.from({ length: 240 }, (_, i) => {
      const at = now - (239 - i) * HOUR - 60_000;
      return {
        at: new Date(at),
        fileBytes: Math.round(50 * GB + ((at - now) / DAY) * GB + (i % 2 === 0 ? 1e6 : -1e6)),
        requests: 1,
        durationMs: 1,
      };
    });
    await insertPoints(database.dataSource, account.id, series);
    // The line is at 50 GB now: 100 GB is reached 50 days from now.
    const { body } = await t.graphql<any>(FORECAST, {
      token,
      variables: { quota: 100 * GB, window: 'MONTH' },
    });
    expect(body.errors).toBeUndefined();
    const forecast = body.data.viewer.account.usageForecast;
    expect(forecast.points).toBe(240);
    expect(forecast.slopeBytesPerDay).toBeCloseTo(GB, -4);
    const expected = now + 50 * DAY;
    expect(Math.abs(new Date(forecast.reachesQuotaAt).getTime() - expected)).toBeLessThan(10 * 60_000);

    // The default quota (2.5 TB) is reached after (2500 - 50) days.
    const byDefault = await t.graphql<any>(FORECAST, { token, variables: { window: 'MONTH' } });
    const defaultAt = new Date(byDefault.body.data.viewer.account.usageForecast.reachesQuotaAt).getTime();
    expect(Math.abs(defaultAt - (now + 2450 * DAY))).toBeLessThan(60 * 60_000);

    // Shrinking storage: no date.
    const shrinking = await createAccount(database.dataSource);
    await insertPoints(
      database.dataSource,
      shrinking.id,
      series.map((p, i) => ({ ...p, fileBytes: 80 * GB - i * 1e7 })),
    );
    const shrinkingToken = await createToken(database.dataSource, shrinking.id, 'VIEWER');
    const none = await t.graphql<any>(FORECAST, { token: shrinkingToken, variables: { window: 'MONTH' } });
    expect(none.body.data.viewer.account.usageForecast).toBeNull();
    expect(
      (await t.graphql<any>(FORECAST, { token, variables: { quota: -1, window: 'MONTH' } })).body.errors?.[0]
        ?.message,
    ).toBeDefined();
  });
});

describe('isolation and roles', () => {
  it('shows an account only its own points and quota; only an admin sets the quota, and only its own', async () => {
    database = await createTestDatabase();
    const t = createTestApp(database);
    const a = await createAccount(database.dataSource);
    const b = await createAccount(database.dataSource);
    const at = new Date(Date.now() - 60_000);
    await insertPoints(database.dataSource, a.id, [{ at, fileBytes: 111, requests: 1, durationMs: 1 }]);
    await insertPoints(database.dataSource, b.id, [
      { at, fileBytes: 222, requests: 2, durationMs: 2 },
      { at: new Date(at.getTime() - 1000), fileBytes: 221, requests: 2, durationMs: 2 },
    ]);
    const viewerA = await createToken(database.dataSource, a.id, 'VIEWER');
    const adminA = await createToken(database.dataSource, a.id, 'ADMIN');
    const adminB = await createToken(database.dataSource, b.id, 'ADMIN');

    const history = await t.graphql<any>(HISTORY, {
      token: viewerA,
      variables: { range: 'DAY', resolution: 'RUN' },
    });
    expect(history.body.data.viewer.account.usageHistory.fileBytes).toEqual([111]);

    // B's account through `node` is not reachable from A's token.
    const accountB = await t.graphql<any>(`{ viewer { account { id } } }`, { token: adminB });
    const viaNode = await t.graphql<any>(
      `query ($id: ID!) { node(id: $id) { ... on Account { usageHistory(range: DAY) { fileBytes } } } }`,
      { token: viewerA, variables: { id: accountB.body.data.viewer.account.id } },
    );
    expect(viaNode.body.data?.node ?? null).toBeNull();

    const SET = `mutation ($q: Float!) { setStorageQuota(quotaBytes: $q) {
      __typename ... on Account { storageQuotaBytes } ... on ValidationError { message } } }`;
    const refused = await t.graphql<any>(SET, { token: viewerA, variables: { q: 5e9 } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const invalid = await t.graphql<any>(SET, { token: adminA, variables: { q: 0 } });
    expect(invalid.body.data.setStorageQuota.__typename).toBe('ValidationError');
    const set = await t.graphql<any>(SET, { token: adminA, variables: { q: 5e9 } });
    expect(set.body.data.setStorageQuota).toEqual({ __typename: 'Account', storageQuotaBytes: 5e9 });
    const quotas = await database.dataSource.query(
      `SELECT id, storage_quota_bytes::float8 AS q FROM account WHERE id = ANY($1) ORDER BY q`,
      [[a.id, b.id]],
    );
    expect(quotas).toEqual([
      { id: a.id, q: 5e9 },
      { id: b.id, q: STORAGE_QUOTA_DEFAULT_BYTES },
    ]);
  });
});

describe('histories kept between writes', () => {
  it('serves a history again until a point is written, by any process, or its earliest point leaves the range', async () => {
    database = await createTestDatabase();
    const one = createTestApp(database).services;
    const other = createTestApp(database).services; // another process: its own memory, the same database
    const account = await createAccount(database.dataSource);
    const load = async () => (await one.accounts.findAccount(account.id))!;
    const now = Date.now();
    const point = (hoursAgo: number, fileBytes: number) => ({
      at: new Date(now - hoursAgo * HOUR),
      fileBytes,
      requests: 1,
      durationMs: 1,
    });
    await insertPoints(database.dataSource, account.id, [point(3, 100), point(1, 200)]);
    const first = await one.usage.series(await load(), 'DAY', 'RUN');
    expect(first.fileBytes).toEqual([100, 200]);

    // Nothing was written through the service: the same history is served (a row slipped in unseen).
    await insertPoints(database.dataSource, account.id, [point(2, 150)]);
    expect(await one.usage.series(await load(), 'DAY', 'RUN')).toBe(first);
    expect((await one.usage.series(await load(), 'DAY', 'HOUR')).fileBytes).toEqual([100, 150, 200]);

    // Another process records a run: the account's version moves, and the history is read again.
    await other.usage.recordRun({
      accountId: account.id,
      startedAt: new Date(now - 1000),
      finishedAt: new Date(now),
      requests: 7,
    });
    const written = await one.usage.series(await load(), 'DAY', 'RUN');
    expect(written.fileBytes).toEqual([100, 150, 200, 0]);
    expect(written.requests).toEqual([1, 1, 1, 7]);

    // A day after the earliest point it has left the range.
    const later = new Date(now - 3 * HOUR + DAY + 1);
    expect((await one.usage.series(await load(), 'DAY', 'RUN', later)).fileBytes).toEqual([150, 200, 0]);
  });
});
