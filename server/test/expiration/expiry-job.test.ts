import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Cron } from 'croner';
import { VectorStoreEntity, type VectorStoreStatus } from '../../src/db/entities/vector-store.entity.ts';
import { afterInactivity, expirationColumns } from '../../src/domain/expiration.ts';
import { EXPIRY_SCHEDULE, ExpiryJob, type Scheduler } from '../../src/jobs/expiry.job.ts';
import { ExpiryService } from '../../src/services/expiry.service.ts';
import { createAccount, createVectorStore } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let accountId: string;
const silent = pino({ level: 'silent' });
const t0 = new Date('2026-03-01T12:00:00.000Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

/** A store last active at `lastActiveAt` that expires after `days`, consistent as the mutations write it. */
async function storeExpiringAt(
  overrides: Partial<VectorStoreEntity> & { days?: number; lastActiveAt?: Date },
) {
  const { days = 1, lastActiveAt = new Date(t0.getTime() - 86_400_000), ...rest } = overrides;
  return createVectorStore(database.dataSource, accountId, {
    lastActiveAt,
    ...expirationColumns(afterInactivity(days), lastActiveAt),
    ...rest,
  });
}

async function statusOf(id: string): Promise<VectorStoreStatus> {
  return (await database.dataSource.getRepository(VectorStoreEntity).findOneByOrFail({ id })).status;
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());
beforeEach(async () => {
  accountId = (await createAccount(database.dataSource)).id;
});

describe('ExpiryService.expireDuePrimaryStores', () => {
  it('expires a primary store exactly when now reaches expires_at, not a millisecond before', async () => {
    const store = await storeExpiringAt({ days: 1 }); // expires_at = t0
    const service = new ExpiryService(database.dataSource);
    expect(await service.expireDuePrimaryStores(new Date(t0.getTime() - 1))).toBe(0);
    expect(await statusOf(store.id)).toBe('completed');
    expect(await service.expireDuePrimaryStores(t0)).toBe(1);
    expect(await statusOf(store.id)).toBe('expired');
  });

  it('never touches mirrors, stores being deleted, stores without a policy, or not yet due', async () => {
    const due = await storeExpiringAt({ status: 'in_progress' });
    const mirror = await storeExpiringAt({ source: 'cache' });
    const deleting = await storeExpiringAt({ status: 'deleting' });
    const never = await createVectorStore(database.dataSource, accountId, { lastActiveAt: new Date(0) });
    const later = await storeExpiringAt({ days: 2 });
    const before = await database.dataSource
      .getRepository(VectorStoreEntity)
      .findOneByOrFail({ id: mirror.id });

    expect(await new ExpiryService(database.dataSource).expireDuePrimaryStores(minutes(60))).toBe(1);
    expect(await statusOf(due.id)).toBe('expired');
    expect(await statusOf(deleting.id)).toBe('deleting');
    expect(await statusOf(never.id)).toBe('completed');
    expect(await statusOf(later.id)).toBe('completed');
    // The mirror row is byte for byte what sync wrote.
    expect(
      await database.dataSource.getRepository(VectorStoreEntity).findOneByOrFail({ id: mirror.id }),
    ).toEqual(before);
  });

  it('is idempotent: a second pass changes nothing', async () => {
    await storeExpiringAt({});
    const service = new ExpiryService(database.dataSource);
    expect(await service.expireDuePrimaryStores(t0)).toBeGreaterThanOrEqual(1);
    expect(await service.expireDuePrimaryStores(t0)).toBe(0);
  });
});

/** A scheduler driven by hand: `fire()` is one cron tick. */
function manualScheduler() {
  const ticks: Array<() => Promise<unknown>> = [];
  let stopped = 0;
  const scheduler: Scheduler = (_pattern, tick) => {
    ticks.push(tick);
    return { stop: () => (stopped += 1) };
  };
  return { scheduler, fire: () => Promise.all(ticks.map((tick) => tick())), stopped: () => stopped };
}

describe('ExpiryJob', () => {
  it('runs every minute', () => {
    const [first, second, third] = new Cron(EXPIRY_SCHEDULE).nextRuns(3, t0);
    expect(second!.getTime() - first!.getTime()).toBe(60_000);
    expect(third!.getTime() - second!.getTime()).toBe(60_000);
  });

  it('expires what is due at the fake clock’s time on each tick', async () => {
    const store = await storeExpiringAt({ lastActiveAt: minutes(-24 * 60 + 5) }); // due at t0 + 5 min
    let now = t0;
    const manual = manualScheduler();
    const job = new ExpiryJob(new ExpiryService(database.dataSource), silent, {
      clock: () => now,
      scheduler: manual.scheduler,
    });
    job.start();
    await manual.fire();
    expect(await statusOf(store.id)).toBe('completed');
    now = minutes(5);
    await manual.fire();
    expect(await statusOf(store.id)).toBe('expired');
    await job.stop();
    expect(manual.stopped()).toBe(1);
  });

  it('never overlaps: a pass still running is joined, not started again', async () => {
    let calls = 0;
    let release!: (n: number) => void;
    const slow = {
      expireDuePrimaryStores: () => {
        calls += 1;
        return new Promise<number>((resolve) => (release = resolve));
      },
    };
    const job = new ExpiryJob(slow, silent, { clock: () => t0, scheduler: manualScheduler().scheduler });
    const first = job.runOnce();
    const second = job.runOnce();
    expect(calls).toBe(1);
    release(3);
    expect(await Promise.all([first, second])).toEqual([3, 3]);
    // Once finished, the next pass runs again.
    const third = job.runOnce();
    expect(calls).toBe(2);
    release(0);
    expect(await third).toBe(0);
  });

  it('a failing pass is logged and the next tick runs again', async () => {
    let calls = 0;
    const flaky = {
      expireDuePrimaryStores: async () => {
        calls += 1;
        if (calls === 1) throw new Error('database went away');
        return 0;
      },
    };
    const errors: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line)) });
    const manual = manualScheduler();
    const job = new ExpiryJob(flaky, logger, { clock: () => t0, scheduler: manual.scheduler });
    job.start();
    await manual.fire();
    await manual.fire();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'Expiry pass failed' });
    await job.stop();
  });

  it('stop waits for the pass in progress', async () => {
    let release!: (n: number) => void;
    let finished = false;
    const slow = {
      expireDuePrimaryStores: () =>
        new Promise<number>((resolve) => (release = resolve)).then((n) => {
          finished = true;
          return n;
        }),
    };
    const manual = manualScheduler();
    const job = new ExpiryJob(slow, silent, { clock: () => t0, scheduler: manual.scheduler });
    job.start();
    const tick = manual.fire();
    const stopped = job.stop();
    release(0);
    await stopped;
    expect(finished).toBe(true);
    await tick;
  });
});
