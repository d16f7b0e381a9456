import { encodeGlobalID } from '@pothos/plugin-relay';
import OpenAI, { toFile } from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { createVectorStore } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { reportFaultSeedOnFailure } from '../support/fault-seed.ts';
import { children } from '../support/server-process.ts';
import { mirrorState, primaryRows, remoteState, type AccountState } from '../sync/harness.ts';
import {
  createConnectedAccount,
  graphqlAt,
  newAdminToken,
  overlaps,
  runIntervals,
  startReplicas,
  waitFor,
} from './cluster.ts';

let database: TestDatabase | undefined;
let emulator: RunningEmulator | undefined;

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await emulator?.close();
  await database?.drop();
});

const DELETE = `mutation($id: ID!) { deleteVectorStore(input: { id: $id }) { __typename } }`;

/** Files of OpenAI attached to no store. */
const orphansOf = (state: AccountState) => {
  const attached = new Set(state.links.map((link) => String(link.key).split('/')[1]));
  return state.files.filter((file) => !attached.has(String(file.externalId)));
};

describe('three replicas under faults, one of them killed', () => {
  it('converge once OpenAI recovers: exact mirror, no orphan Files, no primary row changed, no item done twice', async () => {
    database = await createTestDatabase();
    const db = database.dataSource;
    emulator = await startEmulator({ port: 0, attachDelayMs: 1 });
    const account = await createConnectedAccount(db, emulator.url, '* * * * * *');
    emulator.emulator.seed({ apiKey: account.apiKey, stores: 30, filesPerStore: 3 });
    await createVectorStore(db, account.id, { name: 'Local A' });
    await createVectorStore(db, account.id, { name: 'Local B' });
    const primaryBefore = await primaryRows(db);
    const adminToken = newAdminToken();
    const replicas = await startReplicas(3, {
      databaseUrl: database.url,
      openaiBaseUrl: emulator.url,
      openaiApiKey: account.apiKey,
      adminToken,
    });
    const openai = new OpenAI({ apiKey: account.apiKey, baseURL: emulator.url, maxRetries: 20 });
    await waitFor(
      async () => (await runIntervals(db, account.id)).some((run) => run.status === 'SUCCEEDED'),
      'a first scheduled run',
    );

    // Faults while syncs (every second, on every replica) and cascades run.
    reportFaultSeedOnFailure(emulator.emulator);
    emulator.emulator.setFaults({
      latencyMs: 20,
      errorRates: { '500': 0.1, '429': 0.05 },
      resetRate: 0.02,
    });
    const mirrors: Array<{ id: string }> = await db.query(
      `SELECT id FROM vector_store WHERE account_id = $1 AND source = 'cache' ORDER BY external_id LIMIT 12`,
      [account.id],
    );
    const alive = [...replicas];
    for (const [i, mirror] of mirrors.entries()) {
      // The victim is asked to delete right before it dies: its worker has just claimed that item.
      const replica = i === 5 ? alive[0]! : alive[i % alive.length]!;
      const deleted = await graphqlAt(replica.port, adminToken, DELETE, {
        id: encodeGlobalID('VectorStore', mirror.id),
      });
      expect(deleted.body.data?.deleteVectorStore.__typename).toBe('DeleteVectorStorePayload');
      if (i === 5) {
        // Midway: one replica dies without a word (its run, its claimed queue items are left behind).
        const victim = alive.shift()!;
        victim.child.kill('SIGKILL');
        expect(await victim.exited).toBeNull();
      }
      if (i % 3 === 0) {
        const file = await openai.files.create({
          file: await toFile(Buffer.from(`chaos ${i}`), `chaos-${i}.txt`),
          purpose: 'assistants',
        });
        await openai.vectorStores.create({ name: `chaos ${i}`, file_ids: [file.id] });
      }
      await sleep(400);
    }
    await sleep(2_000);

    // Recovery: OpenAI answers again; the queue drains (the dead replica's items after their lease)
    // and a sync that starts afterwards leaves the mirror exact.
    emulator.emulator.setFaults({});
    await waitFor(
      async () => (await db.query(`SELECT count(*)::int AS n FROM remote_deletion`))[0].n === 0,
      'an empty deletion queue',
    );
    const recoveredAt = Date.now();
    await waitFor(
      async () =>
        (await runIntervals(db, account.id)).some(
          (run) => run.start > recoveredAt && run.status === 'SUCCEEDED',
        ),
      'a run after recovery',
    );
    const remote = await remoteState(openai);
    expect(await mirrorState(db, account.id)).toEqual(remote);
    expect(remote.stores).toHaveLength(30 - 12 + 4);
    expect(orphansOf(remote)).toEqual([]);
    expect(await primaryRows(db)).toBe(primaryBefore);

    // Each queue item was completed by exactly one process.
    const done = replicas
      .flatMap((replica) => replica.output().split('\n'))
      .filter((line) => line.includes('Remote deletion done'))
      .map((line) => JSON.parse(line).item as string);
    expect(new Set(done).size).toBe(done.length);

    for (const replica of replicas.slice(1)) replica.child.kill('SIGTERM');
    expect(await Promise.all(replicas.slice(1).map((replica) => replica.exited))).toEqual([0, 0]);
    const runs = await runIntervals(db, account.id);
    expect(overlaps(runs)).toEqual([]);
    expect(runs.filter((run) => run.status === 'RUNNING')).toEqual([]);
  });
});
