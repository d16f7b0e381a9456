import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgNotifySyncProgressBus, type PgNotifyBus } from '../../src/events/pg-notify-bus.ts';
import type { SyncProgressEvent } from '../../src/events/sync-progress.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let a: PgNotifyBus;
let b: PgNotifyBus;
const logger = pino({ level: 'silent' });

const event = (accountId: string, sequence: number, final = false): SyncProgressEvent => ({
  runId: 'run-1',
  accountId,
  sequence,
  status: final ? 'SUCCEEDED' : 'RUNNING',
  phase: final ? 'done' : 'stores',
  storesDone: sequence,
  storesTotal: 10,
  filesDone: sequence * 3,
  requests: sequence * 2,
  retries: 0,
  throttled: 0,
  concurrencyLimit: 4,
  final,
  at: new Date(1_800_000_000_000 + sequence),
});

async function take(iterator: AsyncIterableIterator<SyncProgressEvent>, count: number) {
  const received: SyncProgressEvent[] = [];
  while (received.length < count) received.push((await iterator.next()).value as SyncProgressEvent);
  return received;
}

beforeAll(async () => {
  database = await createTestDatabase();
  // Two buses on one database stand for two server processes.
  a = await createPgNotifySyncProgressBus(database.url, logger);
  b = await createPgNotifySyncProgressBus(database.url, logger);
});

afterAll(async () => {
  await a.close();
  await b.close();
  await database.drop();
});

describe('progress over PostgreSQL LISTEN/NOTIFY', () => {
  it('delivers a run published in one process to subscribers of another, in order, per account', async () => {
    const onB = b.subscribe('account-1');
    const onA = a.subscribe('account-1');
    const otherAccount = b.subscribe('account-2');
    for (let i = 1; i <= 20; i++) a.publish(event('account-1', i, i === 20));
    b.publish(event('account-2', 1));

    const sequences = (events: SyncProgressEvent[]) => events.map((e) => e.sequence);
    const expected = Array.from({ length: 20 }, (_, i) => i + 1);
    const fromB = await take(onB, 20);
    expect(sequences(fromB)).toEqual(expected);
    expect(fromB.at(-1)).toMatchObject({ final: true, status: 'SUCCEEDED' });
    expect(fromB[0]!.at).toEqual(new Date(1_800_000_000_001));
    expect(sequences(await take(onA, 20))).toEqual(expected);
    expect(await take(otherAccount, 1)).toMatchObject([{ accountId: 'account-2' }]);
    await Promise.all([onA.return?.(), onB.return?.(), otherAccount.return?.()]);
  });

  it('reconnects its listener after the database drops the connection', async () => {
    const terminated = await database.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'vs-align-listen' AND datname = current_database()`,
    );
    expect(terminated).toHaveLength(2); // both processes' listeners
    const onB = b.subscribe('account-3');
    // Published until the reconnected listener hears one: events during the reconnect may be lost.
    const heard = onB.next();
    let sequence = 0;
    const publishing = setInterval(() => a.publish(event('account-3', ++sequence)), 50);
    try {
      const first = (await heard).value as SyncProgressEvent;
      expect(first.accountId).toBe('account-3');
    } finally {
      clearInterval(publishing);
      await onB.return?.();
    }
  });
});
