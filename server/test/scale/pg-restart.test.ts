import { decodeGlobalID } from '@pothos/plugin-relay';
import OpenAI from 'openai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../src/db/data-source.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded-postgres.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { children } from '../support/server-process.ts';
import { mirrorState, remoteState } from '../sync/harness.ts';
import { graphqlAt, newAdminToken, startReplicas, subscribeSse, waitFor } from './cluster.ts';

/**
 * The machine's PostgreSQL is shared by every test: this one restarts a PostgreSQL of its own
 * (embedded, on a fixed port so that the server's URL stays valid).
 */
let dir: string | undefined;
let postgres: EmbeddedDatabase | undefined;
let emulator: RunningEmulator | undefined;
let db: DataSource | undefined;

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (db?.isInitialized) await db.destroy();
  await emulator?.close();
  await postgres?.stop().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

const START = `mutation { startSync(input: {}) { ... on SyncRun { id } } }`;

async function connect(url: string): Promise<DataSource> {
  const dataSource = createDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  return dataSource;
}

describe('PostgreSQL restarted during a sync', () => {
  it('the server survives, reconnects by itself, and the next run converges', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-pg-restart-'));
    postgres = await startEmbeddedPostgres(dir, () => {});
    const port = Number(new URL(postgres.url).port);
    emulator = await startEmulator({ port: 0, attachDelayMs: 1 });
    const apiKey = 'sk-pg-restart-test';
    emulator.emulator.seed({ apiKey, stores: 60, filesPerStore: 2 });
    emulator.emulator.setFaults({ latencyMs: 30 });
    const adminToken = newAdminToken();
    // The server migrates the fresh database and creates the default account with this key.
    const [server] = await startReplicas(1, {
      databaseUrl: postgres.url,
      openaiBaseUrl: emulator.url,
      openaiApiKey: apiKey,
      adminToken,
      env: { SYNC_CONCURRENCY: '2' },
    });
    let exitCode: number | null | undefined;
    void server!.exited.then((code) => (exitCode = code));

    const first = decodeGlobalID(
      (await graphqlAt(server!.port, adminToken, START)).body.data.startSync.id,
    ).id;
    db = await connect(postgres.url);
    await waitFor(async () => {
      const [run] = await db!.query(`SELECT status, stores_done FROM sync_run WHERE id = $1`, [first]);
      return run.status === 'RUNNING' && run.stores_done >= 5;
    }, 'a run under way');
    await db.destroy();

    // Down and up again, on the same port, while the run goes on.
    await postgres.stop();
    await sleep(500);
    postgres = await startEmbeddedPostgres(dir, () => {}, { port });

    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${server!.port}/health`).then((r) => r.ok)) || null,
      'the server to reach the database again',
    );
    expect(exitCode).toBeUndefined();
    db = await connect(postgres.url);
    // The interrupted run does not stay RUNNING: its lock went with the old connections.
    await waitFor(async () => {
      const [run] = await db!.query(`SELECT status FROM sync_run WHERE id = $1`, [first]);
      return run.status !== 'RUNNING';
    }, 'the interrupted run to be closed');
    const [interrupted] = await db.query(`SELECT status, errors FROM sync_run WHERE id = $1`, [first]);
    expect(['FAILED', 'PARTIAL']).toContain(interrupted.status);
    expect(interrupted.errors.length).toBeGreaterThan(0);

    // The progress listener is back on its own, and events flow again.
    await waitFor(
      async () =>
        (
          await db!.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = 'vs-align-listen' AND query LIKE 'LISTEN%'`,
          )
        ).length === 1,
      'the progress listener to reconnect',
    );
    const seen: Array<{ final: boolean; status: string }> = [];
    const stop = new AbortController();
    const wide = subscribeSse<{ syncProgress: { final: boolean; status: string } }>(
      server!.port,
      adminToken,
      'subscription { syncProgress { final status } }',
      {},
      ({ syncProgress }) => {
        seen.push(syncProgress);
        if (syncProgress.final) stop.abort();
      },
      stop.signal,
    );
    await waitFor(
      async () =>
        /^vs_align_sync_progress_subscribers 1$/m.test(
          await (await fetch(`http://127.0.0.1:${server!.port}/metrics`)).text(),
        ),
      'the subscription to be open',
    );

    emulator.emulator.setFaults({});
    const next = decodeGlobalID((await graphqlAt(server!.port, adminToken, START)).body.data.startSync.id).id;
    expect(next).not.toBe(first);
    await waitFor(async () => {
      const [run] = await db!.query(`SELECT status FROM sync_run WHERE id = $1`, [next]);
      return run.status === 'SUCCEEDED';
    }, 'the next run to succeed');
    await wide;
    expect(seen.at(-1)).toMatchObject({ final: true, status: 'SUCCEEDED' });
    const [{ id: accountId }] = await db.query(`SELECT account_id AS id FROM sync_run WHERE id = $1`, [next]);
    const openai = new OpenAI({ apiKey, baseURL: emulator.url, maxRetries: 5 });
    expect(await mirrorState(db, accountId)).toEqual(await remoteState(openai));

    server!.child.kill('SIGTERM');
    expect(await server!.exited).toBe(0);
  });
});
