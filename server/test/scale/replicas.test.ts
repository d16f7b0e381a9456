import { decodeGlobalID } from '@pothos/plugin-relay';
import OpenAI, { toFile } from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { createToken } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { children } from '../support/server-process.ts';
import { mirrorState, remoteState } from '../sync/harness.ts';
import {
  createConnectedAccount,
  graphqlAt,
  overlaps,
  runIntervals,
  startReplicas,
  subscribeSse,
  waitFor,
  type Replica,
} from './cluster.ts';

/** Three server processes on one database and one emulator. */
let database: TestDatabase;
let emulator: RunningEmulator;
let replicas: Replica[];
/** Synced every second by every replica. */
let scheduled: { id: string; apiKey: string };
/** Synced only on demand. */
let manual: { id: string; apiKey: string };
let manualToken: string;

interface Progress {
  syncProgress: { sequence: number; final: boolean; status: string; storesDone: number; at: string };
}
const PROGRESS = `subscription($id: ID) { syncProgress(runId: $id) { sequence final status storesDone at } }`;
const START = `mutation { startSync(input: {}) { __typename ... on SyncRun { id status } } }`;

beforeAll(async () => {
  database = await createTestDatabase();
  emulator = await startEmulator({ port: 0, attachDelayMs: 1 });
  // Created first, so it is the oldest account: the replicas adopt it as their default account.
  scheduled = await createConnectedAccount(database.dataSource, emulator.url, '* * * * * *');
  manual = await createConnectedAccount(database.dataSource, emulator.url, '0 0 1 1 *');
  manualToken = await createToken(database.dataSource, manual.id, 'ADMIN');
  emulator.emulator.seed({ apiKey: scheduled.apiKey, stores: 25, filesPerStore: 2 });
  emulator.emulator.seed({ apiKey: manual.apiKey, stores: 40, filesPerStore: 3 });
  replicas = await startReplicas(3, {
    databaseUrl: database.url,
    openaiBaseUrl: emulator.url,
    openaiApiKey: scheduled.apiKey,
  });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await emulator?.close();
  await database?.drop();
});

describe('three replicas on one database', () => {
  it('run a per-second schedule for ~20 s without two runs of the account overlapping, and the mirror ends exact', async () => {
    const db = database.dataSource;
    const openai = new OpenAI({ apiKey: scheduled.apiKey, baseURL: emulator.url, maxRetries: 5 });
    await waitFor(
      async () => (await runIntervals(db, scheduled.id)).some((run) => run.status === 'SUCCEEDED'),
      'a first scheduled run',
    );

    // OpenAI changes under the replicas' feet for ~15 s.
    const stores = (await openai.vectorStores.list({ limit: 100 })).data;
    for (let step = 0; step < 20; step++) {
      if (step % 4 === 0) {
        const file = await openai.files.create({
          file: await toFile(Buffer.from(`step ${step}`), `step-${step}.txt`),
          purpose: 'assistants',
        });
        await openai.vectorStores.create({ name: `new ${step}`, file_ids: [file.id] });
      } else if (step % 4 === 1) {
        await openai.vectorStores.delete(stores.pop()!.id);
      } else if (step % 4 === 2) {
        await openai.vectorStores.update(stores[step]!.id, { name: `renamed ${step}` });
      } else {
        const [link] = (await openai.vectorStores.files.list(stores[step]!.id)).data;
        if (link) await openai.vectorStores.files.delete(link.id, { vector_store_id: stores[step]!.id });
      }
      await sleep(750);
    }

    // A run that started after the last change, and succeeded, leaves the mirror exact.
    const changedAt = Date.now();
    await waitFor(
      async () =>
        (await runIntervals(db, scheduled.id)).some(
          (run) => run.start > changedAt && run.status === 'SUCCEEDED',
        ),
      'a run after the last change',
    );
    expect(await mirrorState(db, scheduled.id)).toEqual(await remoteState(openai));

    const runs = await runIntervals(db, scheduled.id);
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect(overlaps(runs)).toEqual([]);
    expect(runs.filter((run) => run.status === 'RUNNING').length).toBeLessThanOrEqual(1);
    // Every replica took part: each logged scheduled runs (its own, or the one it joined).
    for (const replica of replicas) expect(replica.output()).toContain('Scheduled sync');
  });

  it('streams a run executing on replica A to a subscriber of replica B, in order, ending with one final event', async () => {
    const [a, b] = replicas as [Replica, Replica];
    // The replicas synced the account when they started (it had never been): this run must list every
    // store again, and last long enough for several progress events, where the limiter would list all
    // 40 stores at once. A rate limit holds it at 10 requests a second after a small burst.
    await database.dataSource.query(`UPDATE account SET full_sync_every = 1 WHERE id = $1`, [manual.id]);
    emulator.emulator.setFaults({ latencyMs: 60, rateLimitPerSecond: 10 });
    try {
      const started = await graphqlAt(a.port, manualToken, START);
      const run = started.body.data.startSync;
      expect(run).toMatchObject({ __typename: 'SyncRun', status: 'RUNNING' });

      const events: Progress['syncProgress'][] = [];
      const { completed } = await subscribeSse<Progress>(
        b.port,
        manualToken,
        PROGRESS,
        { id: run.id },
        (data) => events.push(data.syncProgress),
      );
      expect(completed).toBe(true);
      expect(events.length).toBeGreaterThanOrEqual(3);
      const sequences = events.map((event) => event.sequence);
      expect(sequences).toEqual([...new Set(sequences)].sort((x, y) => x - y));
      expect(events.filter((event) => event.final)).toHaveLength(1);
      expect(events.at(-1)).toMatchObject({ final: true, status: 'SUCCEEDED', storesDone: 40 });
      const openai = new OpenAI({ apiKey: manual.apiKey, baseURL: emulator.url, maxRetries: 5 });
      expect(await mirrorState(database.dataSource, manual.id)).toEqual(await remoteState(openai));
    } finally {
      emulator.emulator.setFaults({});
    }
  });

  it('answers with the request id it was given (or a new one) and reports subscribers in /metrics', async () => {
    const [a] = replicas as [Replica];
    const given = await graphqlAt(a.port, manualToken, '{ viewer { role } }', undefined, {
      'x-request-id': 'scale-test-42',
    });
    expect(given.headers.get('x-request-id')).toBe('scale-test-42');
    const generated = await graphqlAt(a.port, manualToken, 'query Who { viewer { role } }');
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(async () => a.output().includes(id!), 'the request line');
    const line = JSON.parse(
      a
        .output()
        .split('\n')
        .find((l) => l.includes(id!))!,
    );
    expect(line).toMatchObject({ requestId: id, method: 'POST', status: 200, operationName: 'Who' });
    expect(a.output()).not.toContain(manualToken);

    const metrics = await (await fetch(`http://127.0.0.1:${a.port}/metrics`)).text();
    expect(metrics).toMatch(/^vs_align_sync_progress_subscribers 0$/m);
    expect(metrics).toMatch(/^vs_align_sync_runs_total\{status="SUCCEEDED"\} \d+$/m);
  });

  it('on SIGTERM ends its running sync FAILED with a clear error, sends subscribers a last event, exits 0; the next run converges', async () => {
    const c = replicas[2]!;
    const db = database.dataSource;
    // Slow enough that the run is still going when the signal arrives.
    emulator.emulator.setFaults({ latencyMs: 150 });
    let runId: string;
    try {
      // The manual account's second run is incremental: change every store so it has work to do.
      const openai = new OpenAI({ apiKey: manual.apiKey, baseURL: emulator.url, maxRetries: 5 });
      for (const store of (await openai.vectorStores.list({ limit: 100 })).data.slice(0, 10)) {
        await openai.vectorStores.update(store.id, { name: `changed ${store.id}` });
      }
      const started = await graphqlAt(c.port, manualToken, START);
      runId = started.body.data.startSync.id;
      const events: Progress['syncProgress'][] = [];
      const stream = subscribeSse<Progress>(c.port, manualToken, PROGRESS, { id: runId }, (data) =>
        events.push(data.syncProgress),
      );
      // An account-wide subscription is closed too.
      const wide = subscribeSse<Progress>(
        c.port,
        manualToken,
        'subscription { syncProgress { sequence } }',
        {},
        () => {},
      );
      await waitFor(async () => events.length > 0, 'the first event');
      c.child.kill('SIGTERM');
      expect(await c.exited).toBe(0);
      expect((await stream).completed).toBe(true);
      expect((await wide).completed).toBe(true);
      expect(events.at(-1)).toMatchObject({ final: true, status: 'FAILED' });
    } finally {
      emulator.emulator.setFaults({});
    }
    const [row] = await db.query(`SELECT status, errors FROM sync_run WHERE id = $1`, [
      decodeGlobalID(runId!).id,
    ]);
    expect(row.status).toBe('FAILED');
    expect(JSON.stringify(row.errors)).toContain('The server shut down during this sync');
    expect(c.output()).toContain('Stopped');

    // Another replica runs the account again, and the mirror converges.
    const [a] = replicas as [Replica];
    const again = await graphqlAt(a.port, manualToken, START);
    const nextId = decodeGlobalID(again.body.data.startSync.id).id;
    await waitFor(
      async () =>
        (await db.query(`SELECT status FROM sync_run WHERE id = $1`, [nextId]))[0].status === 'SUCCEEDED',
      'the next run',
    );
    const openai = new OpenAI({ apiKey: manual.apiKey, baseURL: emulator.url, maxRetries: 5 });
    expect(await mirrorState(db, manual.id)).toEqual(await remoteState(openai));

    // The others stop cleanly too, and nothing is left RUNNING.
    for (const replica of replicas.slice(0, 2)) replica.child.kill('SIGTERM');
    expect(await Promise.all(replicas.slice(0, 2).map((replica) => replica.exited))).toEqual([0, 0]);
    expect(await db.query(`SELECT count(*)::int AS n FROM sync_run WHERE status = 'RUNNING'`)).toEqual([
      { n: 0 },
    ]);
  });
});
