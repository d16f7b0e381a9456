import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SecretBox } from '../src/auth/secret-box.ts';
import { createDataSource } from '../src/db/data-source.ts';
import { freePort, startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { startEmulator } from '../src/emulator/index.ts';
import { createServices } from '../src/services/index.ts';

/**
 * Progress fan-out across replicas (issue 8): 500 SSE subscribers of `syncProgress`, spread over two
 * server processes or all on one, while a full sync of 1,000 stores runs on the first. Each event's
 * delay is `at` (when the run took the snapshot) → received by the subscriber; every subscriber must
 * get the final event. Events go through PostgreSQL LISTEN/NOTIFY in both cases (the publishing
 * process receives its own events through its LISTEN connection too).
 */

const SUBSCRIBERS = 500;
const STORES = 1000;
const LATENCY_MS = 40;
const SECRET = 'bench-secret-bench-secret-bench-secret';
const thisFile = fileURLToPath(import.meta.url);
const serverDir = path.resolve(path.dirname(thisFile), '..');
const SUBSCRIPTION = 'subscription { syncProgress { runId sequence final at } }';

interface Replica {
  port: number;
  child: ChildProcess;
  exited: Promise<unknown>;
}

async function startReplica(env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const { DATABASE_URL: _db, OPENAI_API_KEY: _key, OPENAI_BASE_URL: _url, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...inherited, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { port, child, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('A replica exited before it was healthy');
}

async function subscribers(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^vs_align_sync_progress_subscribers (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** One SSE subscriber: records each event's delay; resolves after the final event (or the deadline). */
async function subscribe(
  port: number,
  token: string,
  delays: number[],
  signal: AbortSignal,
): Promise<boolean> {
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query: SUBSCRIPTION }),
    signal: both,
  });
  const decoder = new TextDecoder();
  let buffer = '';
  let final = false;
  try {
    for await (const chunk of response.body!) {
      const receivedAt = Date.now();
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(message)?.[1];
        if (!/^event: next$/m.test(message) || !data) continue;
        const event = (JSON.parse(data) as { data: { syncProgress: { at: string; final: boolean } } }).data
          .syncProgress;
        delays.push(receivedAt - new Date(event.at).getTime());
        if (event.final) {
          final = true;
          stop.abort();
        }
      }
    }
  } catch (error) {
    if (!both.aborted) throw error;
  }
  return final;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface Outcome {
  scenario: string;
  replicas: number;
  subscribers: number;
  'got the final event': number;
  'events received': number;
  'delay p50': string;
  'delay p99': string;
  'delay max': string;
  'sync wall time': string;
}

async function scenario(serverUrl: string, replicaCount: number): Promise<Outcome> {
  const name = `vs_bench_subs_${process.pid}_${replicaCount}`;
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = `${serverUrl}/${name}`;
  const emulator = await startEmulator({ port: 0, attachDelayMs: 1 });
  const replicas: Replica[] = [];
  try {
    const db = createDataSource({ url, poolSize: 2 });
    await db.initialize();
    await db.runMigrations();
    const apiKey = `sk-bench-subscribers-${replicaCount}`;
    emulator.emulator.seed({ apiKey, stores: STORES, filesPerStore: 5 });
    emulator.emulator.setFaults({ latencyMs: LATENCY_MS });
    const services = createServices(db, new SecretBox(SECRET));
    const account = await services.accounts.createAccount({
      name: 'bench subscribers',
      openaiApiKey: apiKey,
      openaiBaseUrl: emulator.url,
    });
    // Only the sync started below runs.
    await db.query(`UPDATE account SET sync_schedule = '0 0 1 1 *' WHERE id = $1`, [account.id]);
    const token = await services.accounts.issueToken(account.id, 'ADMIN', 'bench');
    await db.destroy();

    const env = {
      DATABASE_URL: url,
      SECRET_KEY: SECRET,
      OPENAI_API_KEY: apiKey,
      OPENAI_BASE_URL: emulator.url,
      DATA_DIR: path.join(os.tmpdir(), `vs-align-bench-subs-${process.pid}`),
      SYNC_CONCURRENCY: '16',
      OPENAI_MAX_RPS: '5000',
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
    };
    for (let i = 0; i < replicaCount; i++) replicas.push(await startReplica(env));

    // Subscribers spread round robin; all of them live before the run starts.
    const deadline = AbortSignal.timeout(60_000);
    const delays: number[] = [];
    const finals = Array.from({ length: SUBSCRIBERS }, (_, i) =>
      subscribe(replicas[i % replicaCount]!.port, token, delays, deadline),
    );
    for (const [i, replica] of replicas.entries()) {
      const expected = Math.ceil((SUBSCRIBERS - i) / replicaCount);
      while ((await subscribers(replica.port)) < expected) await new Promise((r) => setTimeout(r, 50));
    }

    const startedAt = performance.now();
    const started = await fetch(`http://127.0.0.1:${replicas[0]!.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { startSync(input: {}) { __typename } }' }),
    });
    if (!started.ok) throw new Error(`startSync failed: HTTP ${started.status}`);
    const got = (await Promise.all(finals)).filter(Boolean).length;
    const wallMs = performance.now() - startedAt;
    delays.sort((a, b) => a - b);
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    return {
      scenario: replicaCount > 1 ? 'spread over two replicas' : 'all on one replica',
      replicas: replicaCount,
      subscribers: SUBSCRIBERS,
      'got the final event': got,
      'events received': delays.length,
      'delay p50': ms(percentile(delays, 50)),
      'delay p99': ms(percentile(delays, 99)),
      'delay max': ms(delays.at(-1) ?? NaN),
      'sync wall time': `${(wallMs / 1000).toFixed(2)} s`,
    };
  } finally {
    for (const replica of replicas) replica.child.kill('SIGTERM');
    await Promise.all(replicas.map((replica) => replica.exited));
    await emulator.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

export async function benchSubscribers(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL) : null;
  let stopEmbedded = async () => {};
  if (serverUrl === null) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-bench-pg-'));
    await chmod(dir, 0o755);
    const embedded = await startEmbeddedPostgres(dir, () => {});
    serverUrl = new URL(embedded.url);
    stopEmbedded = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  serverUrl.pathname = '';
  const server = serverUrl.toString().replace(/\/$/, '');
  try {
    console.log(
      `\nSync progress to ${SUBSCRIBERS} SSE subscribers during a full sync of ${STORES} stores ` +
        `(${LATENCY_MS} ms per OpenAI request); delay = event \`at\` → received`,
    );
    const two = await scenario(server, 2);
    const one = await scenario(server, 1);
    console.table([two, one]);
    const allFinal = two['got the final event'] === SUBSCRIBERS && one['got the final event'] === SUBSCRIBERS;
    console.log(`every subscriber received the final event: ${allFinal ? 'met' : 'MISSED'}`);
  } finally {
    await stopEmbedded();
  }
}

if (process.argv[1] === thisFile) await benchSubscribers();
