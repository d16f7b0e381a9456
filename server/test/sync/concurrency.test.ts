import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataSource } from '../../src/db/data-source.ts';
import { SyncJob } from '../../src/jobs/sync.job.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { testSecrets } from '../factories/index.ts';
import { waitFor } from '../support/wait-for.ts';
import { createSyncHarness, FAST_SYNC, mirrorState, remoteState, type SyncHarness } from './harness.ts';

let h: SyncHarness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await h?.close();
  h = undefined;
});

/** A second server process, as far as the database can tell: its own pool and its own services. */
async function anotherProcess(harness: SyncHarness): Promise<Services> {
  const dataSource = createDataSource({ url: harness.database.url, poolSize: 4 });
  await dataSource.initialize();
  const services = createServices(dataSource, testSecrets, { sync: FAST_SYNC });
  cleanups.push(async () => {
    await services.sync.shutdown();
    await dataSource.destroy();
  });
  return services;
}

/** Runs never overlap: each one finished before the next started. */
async function expectNoOverlap(harness: SyncHarness) {
  const runs: Array<{ started_at: Date; finished_at: Date | null; status: string }> = await harness.db.query(
    `SELECT started_at, finished_at, status FROM sync_run WHERE account_id = $1 ORDER BY started_at`,
    [harness.accountId],
  );
  for (let i = 1; i < runs.length; i++) {
    expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finished_at!.getTime());
  }
  return runs;
}

describe('one sync per account at a time', () => {
  it('gives two processes starting a sync at the same moment the same run', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 20, filesPerStore: 2 });
    h.emulator.emulator.setFaults({ latencyMs: 5 });
    const other = await anotherProcess(h);

    const request = { accountId: h.accountId, trigger: 'MANUAL' as const };
    const [a, b, c] = await Promise.all([
      h.services.sync.startSync(request),
      other.sync.startSync(request),
      other.sync.startSync(request),
    ]);
    expect(new Set([a.run.id, b.run.id, c.run.id]).size).toBe(1);
    expect([a, b, c].filter((started) => !started.joined)).toHaveLength(1);
    const outcomes = await Promise.all([a.done, b.done, c.done]);
    expect(outcomes.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(await h.db.query(`SELECT count(*)::int AS n FROM sync_run`)).toEqual([{ n: 1 }]);
  });

  it('never runs two syncs of an account at once with two processes on a per-second schedule', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 15, filesPerStore: 2 });
    // Each run takes longer than a second tick, so the schedules of both processes collide.
    h.emulator.emulator.setFaults({ latencyMs: 40 });
    await h.db.query(`UPDATE account SET sync_schedule = '* * * * * *', full_sync_every = 1 WHERE id = $1`, [
      h.accountId,
    ]);
    const other = await anotherProcess(h);
    const logger = pino({ level: 'silent' });
    const jobs = [h.services, other].map(
      (services) => new SyncJob(services.sync, () => services.accounts.listAccounts(), logger),
    );
    for (const job of jobs) await job.start();
    // Three finished runs: both processes' schedules have fired on at least three ticks by then.
    await waitFor(async () => {
      const [row]: Array<{ finished: number }> = await h!.db.query(
        `SELECT count(*)::int AS finished FROM sync_run WHERE account_id = $1 AND finished_at IS NOT NULL`,
        [h!.accountId],
      );
      return row!.finished >= 3;
    }, 'three finished scheduled runs');
    for (const job of jobs) job.stop();
    await Promise.all([h.services.sync.shutdown(), other.sync.shutdown()]);

    const runs = await expectNoOverlap(h);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.filter((run) => run.status === 'SUCCEEDED').length).toBeGreaterThanOrEqual(1);
    expect(runs.filter((run) => run.status === 'RUNNING')).toEqual([]);
  });

  it('leaves a run alone while another process holds it, and fails it once that process is gone', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 10, filesPerStore: 2 });
    h.emulator.emulator.setFaults({ latencyMs: 30 });
    const other = await anotherProcess(h);
    const started = await other.sync.startSync({ accountId: h.accountId, trigger: 'MANUAL' });

    expect(await h.services.sync.markDeadRuns()).toBe(0);
    expect((await started.done).status).toBe('SUCCEEDED');

    // A row left RUNNING with no lock holder is what a crash leaves behind.
    await h.db.query(`UPDATE sync_run SET status = 'RUNNING', finished_at = NULL WHERE id = $1`, [
      started.run.id,
    ]);
    expect(await h.services.sync.markDeadRuns()).toBe(1);
    const [row] = await h.db.query(`SELECT status, errors FROM sync_run WHERE id = $1`, [started.run.id]);
    expect(row.status).toBe('FAILED');
    expect(row.errors.at(-1).message).toMatch(/Interrupted/);
    h.emulator.emulator.setFaults({});
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
  });
});
