import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncJob } from '../../src/jobs/sync.job.ts';
import type { StartSyncRequest } from '../../src/services/sync/sync.service.ts';
import { waitFor } from '../support/wait-for.ts';
import { createSyncHarness, mirrorState, remoteState, type SyncHarness } from './harness.ts';

let h: SyncHarness | undefined;
let job: SyncJob | undefined;
afterEach(async () => {
  job?.stop();
  await h?.close();
  h = job = undefined;
});

/** The job over the real sync service, counting the runs it asks for. */
function countingJob(harness: SyncHarness) {
  const requests: StartSyncRequest[] = [];
  const sync = {
    runSync: (request: StartSyncRequest) => {
      requests.push(request);
      return harness.services.sync.runSync(request);
    },
    countRuns: (accountId: string) => harness.services.sync.countRuns(accountId),
  };
  return {
    job: new SyncJob(sync, () => harness.services.accounts.listAccounts(), pino({ level: 'silent' })),
    requests,
  };
}

describe('the first sync of an account', () => {
  it('runs as soon as the job starts when the account was never synced, not at the next tick', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 6, filesPerStore: 2 });
    // A yearly schedule: only the never-synced rule can start a run during this test.
    await h.db.query(`UPDATE account SET sync_schedule = '0 0 1 1 *' WHERE id = $1`, [h.accountId]);
    const counting = countingJob(h);
    job = counting.job;
    await job.start();

    expect(counting.requests).toEqual([{ accountId: h.accountId, trigger: 'SCHEDULE' }]);
    const harness = h;
    await waitFor(async () => {
      const [run] = await harness.db.query(`SELECT status FROM sync_run WHERE account_id = $1`, [
        harness.accountId,
      ]);
      return run?.status === 'SUCCEEDED';
    }, 'the first run to succeed');
    expect(await mirrorState(h.db, h.accountId)).toEqual(await remoteState(h.openai));
  });

  it('waits for the schedule once the account has a run', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 2, filesPerStore: 1 });
    await h.db.query(`UPDATE account SET sync_schedule = '0 0 1 1 *' WHERE id = $1`, [h.accountId]);
    await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    const counting = countingJob(h);
    job = counting.job;
    await job.start();
    await job.refresh();

    expect(counting.requests).toEqual([]);
  });
});
