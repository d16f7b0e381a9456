import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { SecretBox } from '../src/auth/secret-box.ts';
import { createApp } from '../src/app.ts';
import { createDataSource } from '../src/db/data-source.ts';
import { createServices } from '../src/services/index.ts';
import { setUp, withBenchPostgres } from './sync.ts';

/**
 * Usage history (issue 17). Two figures, each against a baseline measured in the same run:
 * - writing a usage point (a few aggregate queries, the insert and the thinning; the orphan totals
 *   come from the run, which counted them in its last phase) against the whole 1,000-store sync it
 *   follows, in the sync bench's account (1,000 stores × 20 files + 2,000 orphan Files, 20 ms per
 *   request), synced in this process. Target: under 1%.
 * - `usageHistory(range: YEAR, resolution: DAY)` through the GraphQL app, over a year of points as
 *   thinning leaves them (a day of runs every 5 minutes, 29 days hourly, 335 daily), against the
 *   cheapest authenticated query: read again (kept in memory) and read after each write (the
 *   account's usage version moved, so computed in PostgreSQL). Target: p99 under 20 ms, both.
 */
const SECRET = 'bench-secret-bench-secret-bench-secret';
const POINT_WRITES = 20;
const QUERIES = 300;

const percentile = (values: number[], p: number) =>
  values.toSorted((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

export async function benchUsage(): Promise<void> {
  await withBenchPostgres(async (server) => {
    console.log('\nUsage history: a point per sync, and a year of it read back');
    const setup = await setUp(server, 1000, 2000);
    const db = createDataSource({ url: setup.url });
    await db.initialize();
    const services = createServices(db, new SecretBox(SECRET));
    try {
      const started = performance.now();
      const run = await services.sync.runSync({ accountId: setup.accountId, trigger: 'CLI' });
      const syncMs = performance.now() - started;
      if (run.status !== 'SUCCEEDED')
        throw new Error(`The benchmark sync ended ${run.status}: ${JSON.stringify(run.errors.slice(0, 3))}`);
      console.log(`Usage: the 1,000-store sync took ${syncMs.toFixed(0)} ms (${run.requests} requests)`);

      // As the sync writes it: with the orphan totals its last phase counted (that count is part of
      // the sync's time above, not of the point's).
      const orphans = await services.orphans.orphanTotals(setup.accountId);
      if (orphans.count !== run.orphansFound) throw new Error('The run counted other orphans');
      const writes: number[] = [];
      for (let i = 0; i < POINT_WRITES; i++) {
        const at = performance.now();
        await services.usage.recordRun({
          accountId: setup.accountId,
          startedAt: run.startedAt,
          finishedAt: new Date(),
          requests: run.requests,
          orphans,
        });
        writes.push(performance.now() - at);
      }
      const pointMs = percentile(writes, 50);
      const share = pointMs / syncMs;

      // A year as thinning keeps it: the newest day every 5 minutes, 29 days hourly, 335 days daily.
      await db.query(`DELETE FROM usage_point WHERE account_id = $1`, [setup.accountId]);
      const now = Date.now();
      const ats = [
        ...Array.from({ length: 288 }, (_, i) => now - i * 300_000),
        ...Array.from({ length: 29 * 24 }, (_, i) => now - 86_400_000 - i * 3_600_000),
        ...Array.from({ length: 335 }, (_, i) => now - 30 * 86_400_000 - i * 86_400_000),
      ];
      await db.query(
        `INSERT INTO usage_point (account_id, at, mirror_stores, local_stores, files, file_bytes, usage_bytes,
                                  billable_bytes, estimated_daily_cost_usd, orphan_files, orphan_bytes,
                                  stores_without_expiration, stores_with_count_drift, runs, duration_ms, requests)
         SELECT $1, to_timestamp(ms / 1000.0), 1000, 0, 7000, 7e9 + (ms::bigint % 1000000), 6e9, 5e9, 0.5, 2000, 1e6, 900, 3,
                1, 1500, 1020
           FROM unnest($2::float8[]) AS ms`,
        [setup.accountId, ats],
      );
      const token = await services.accounts.issueToken(setup.accountId, 'VIEWER', 'bench');
      const app = createApp({ services, logger: pino({ level: 'silent' }) });
      const time = async (query: string, beforeEach?: () => Promise<unknown>) => {
        const samples: number[] = [];
        for (let i = 0; i < QUERIES + 30; i++) {
          await beforeEach?.();
          const at = performance.now();
          const response = await app.fetch('http://localhost/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query }),
          });
          const body = (await response.json()) as { errors?: unknown };
          if (body.errors) throw new Error(JSON.stringify(body.errors));
          if (i >= 30) samples.push(performance.now() - at);
        }
        return samples;
      };
      const baseline = await time('{ viewer { role } }');
      const historyQuery = `{ viewer { account { usageHistory(range: YEAR, resolution: DAY) {
          at mirrorStores localStores files fileBytes usageBytes billableBytes estimatedDailyCostUsd
          orphanFiles orphanBytes storesWithoutExpiration storesWithCountDrift runs syncDurationMs syncRequests
        } } } }`;
      // As the Insights page reads it between two syncs (the history kept), and as the first read after
      // a sync wrote a point (the account's usage version moved: computed again).
      const history = await time(historyQuery);
      const afterWrite = await time(historyQuery, () =>
        db.query(`UPDATE account SET usage_version = usage_version + 1 WHERE id = $1`, [setup.accountId]),
      );
      const p99 = Math.max(percentile(history, 99), percentile(afterWrite, 99));
      const baseP99 = percentile(baseline, 99);
      console.table([
        {
          measure: 'sync, 1,000 stores (one run, includes its own point)',
          time: `${syncMs.toFixed(0)} ms`,
          ratio: '1',
        },
        {
          measure: `writing a point (median of ${POINT_WRITES}; max ${Math.max(...writes).toFixed(1)} ms)`,
          time: `${pointMs.toFixed(2)} ms`,
          ratio: `${(share * 100).toFixed(3)}% of the sync`,
        },
        {
          measure: `{ viewer { role } } p99 (${QUERIES} queries; p50 ${percentile(baseline, 50).toFixed(2)} ms)`,
          time: `${baseP99.toFixed(2)} ms`,
          ratio: '1',
        },
        ...[
          { samples: history, name: 'read again' },
          { samples: afterWrite, name: 'first read after a write' },
        ].map(({ samples, name }) => ({
          measure: `usageHistory(YEAR, DAY) p99, ${name}, ${ats.length} points kept (p50 ${percentile(samples, 50).toFixed(2)} ms)`,
          time: `${percentile(samples, 99).toFixed(2)} ms`,
          ratio: `${(percentile(samples, 99) / baseP99).toFixed(2)}× the baseline`,
        })),
      ]);
      console.log(
        `Usage targets: a point under 1% of the sync: ${share < 0.01 ? 'met' : 'MISSED'} ` +
          `(${(share * 100).toFixed(3)}%); usageHistory p99 under 20 ms, read again and after a write: ` +
          `${p99 < 20 ? 'met' : 'MISSED'} (the larger: ${p99.toFixed(2)} ms)`,
      );
    } finally {
      await services.sync.shutdown();
      await db.destroy();
      await setup.close();
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchUsage();
