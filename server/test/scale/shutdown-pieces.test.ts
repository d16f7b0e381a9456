import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { closableBus } from '../../src/events/closable-bus.ts';
import { createInProcessSyncProgressBus } from '../../src/events/sync-progress.ts';
import { DeadRunJob } from '../../src/jobs/dead-runs.job.ts';
import { createLogger } from '../../src/logger.ts';
import { RemoteDeletionWorker } from '../../src/services/deletion/remote-deletion.worker.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createToken, createVectorStore, testSecrets } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createConnectedAccount, waitFor } from './cluster.ts';

let database: TestDatabase;
let emulator: RunningEmulator;
let services: Services;
let account: { id: string; apiKey: string };
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase();
  emulator = await startEmulator({ port: 0, attachDelayMs: 0 });
  services = createServices(database.dataSource, testSecrets);
  account = await createConnectedAccount(database.dataSource, emulator.url, '0 0 1 1 *');
});

afterAll(async () => {
  await emulator.close();
  await database.drop();
});

describe('request log', () => {
  it('logs one line per request with its id, status and operation name, and nothing secret', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const app = createApp({ services, logger: createLogger('debug', sink) });
    const token = await createToken(database.dataSource, account.id, 'ADMIN');
    const post = (headers: Record<string, string>) =>
      app.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify({
          query: 'query Secretive($q: String) { viewer { role } }',
          variables: { q: 'variable-value-never-logged' },
        }),
      });

    const given = await post({ 'x-request-id': 'abc-123' });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    // A forged or oversized id is replaced by a generated one.
    const forged = await post({ 'x-request-id': 'bad id\n{"level":60}' });
    const generated = forged.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    expect(refused.headers.get('x-request-id')).toBeTruthy();
    await app.fetch('http://localhost/health');

    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests).toHaveLength(4);
    expect(requests[0]).toMatchObject({
      level: 30,
      requestId: 'abc-123',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'Secretive',
    });
    expect(requests[0]!.durationMs).toEqual(expect.any(Number));
    expect(requests[1]!.requestId).toBe(generated);
    expect(requests[2]).toMatchObject({ status: 401 });
    expect(requests[3]).toMatchObject({ level: 20, path: '/health', status: 200 });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(token);
    expect(text).not.toContain('variable-value-never-logged');
    expect(text).not.toContain('viewer');
  });
});

describe('deletion worker stopped in the middle of an item', () => {
  it('hands the item back at once (lease cleared, attempt not counted) when the grace period is over', async () => {
    const openai = emulator.emulator;
    openai.seed({ apiKey: account.apiKey, stores: 1, filesPerStore: 2 });
    const [remote] = (
      await fetch(`${emulator.url}/vector_stores`, {
        headers: { authorization: `Bearer ${account.apiKey}` },
      }).then((r) => r.json() as Promise<{ data: Array<{ id: string }> }>)
    ).data;
    const mirror = await createVectorStore(database.dataSource, account.id, {
      source: 'cache',
      backend: 'openai',
      externalId: remote!.id,
    });
    // Every OpenAI answer takes long: the item is still in flight when the worker stops.
    openai.setFaults({ latencyMs: 5_000 });
    const worker = new RemoteDeletionWorker(database.dataSource, services.accounts, silent, {
      leaseMs: 60_000,
      pollMs: 60_000,
    });
    try {
      await services.deletions.deleteVectorStore(account.id, mirror.id);
      worker.start();
      await waitFor(
        async () =>
          (await database.dataSource.query(`SELECT 1 FROM remote_deletion WHERE lease_until IS NOT NULL`))
            .length === 1,
        'the item to be claimed',
      );
      await worker.stop(50);
      const [item] = await database.dataSource.query(
        `SELECT lease_until, attempts, last_error FROM remote_deletion`,
      );
      expect(item).toEqual({ lease_until: null, attempts: 0, last_error: null });
    } finally {
      openai.setFaults({});
    }
    // Another worker (another replica) takes it and finishes it.
    const other = new RemoteDeletionWorker(database.dataSource, services.accounts, silent);
    expect(await other.drain()).toBe(1);
    expect(await database.dataSource.query(`SELECT * FROM remote_deletion`)).toEqual([]);
  });
});

describe('dead runs', () => {
  it('are marked FAILED by the periodic check once their account lock is free', async () => {
    const [{ id }] = await database.dataSource.query(
      `INSERT INTO sync_run (account_id, trigger, "full", status, phase, errors, started_at)
       VALUES ($1, 'SCHEDULE', true, 'RUNNING', 'stores', '[]', now()) RETURNING id`,
      [account.id],
    );
    const job = new DeadRunJob(services.sync, silent, 60_000);
    await job.tick();
    await job.stop();
    const [run] = await database.dataSource.query(`SELECT status, errors FROM sync_run WHERE id = $1`, [id]);
    expect(run.status).toBe('FAILED');
    expect(run.errors[0].message).toMatch(/stopped before it finished/);
  });
});

describe('closable progress bus', () => {
  it('ends open subscriptions on close, and later ones at once', async () => {
    const bus = closableBus(createInProcessSyncProgressBus());
    const open = bus.subscribe('a');
    const pending = open.next();
    expect(bus.size).toBe(1);
    bus.closeSubscriptions();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(bus.size).toBe(0);
    expect(await bus.subscribe('a').next()).toEqual({ done: true, value: undefined });
  });
});
