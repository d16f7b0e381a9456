import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { toFile } from 'openai';
import { SecretBox } from '../src/auth/secret-box.ts';
import { createDataSource } from '../src/db/data-source.ts';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.ts';
import { createOpenAIClient } from '../src/openai/client.ts';
import { createServices } from '../src/services/index.ts';
import { MirrorWriter } from '../src/services/sync/mirror-writer.ts';
import type {
  RemoteVectorStore as VectorStore,
  RemoteVectorStoreFile as VectorStoreFile,
} from '../src/services/sync/remote-reader.ts';

/**
 * Sync at size (issue 4): an emulator with 1,000 stores × 20 files and 2,000 orphan Files answering
 * every request after 20 ms. Each measured sync runs in a child process of its own, so its peak RSS
 * is the sync's alone (the emulator and the bench stay in this process). Baselines: the naive loop
 * (one request at a time, SDK auto-pagination) and the lower bound (minimal requests × latency ÷
 * concurrency). The full first sync, the 100,000-file sync and the 1,000,000-File sync run three
 * times each, every time into a fresh database, and the targets are judged on the medians.
 *
 * `BENCH_SYNC_CPU_PROF=<dir>` writes a CPU profile of each measured sync process into <dir>.
 * `BENCH_SYNC_ONLY=million` runs only the rows the 1,000,000-File target compares (the full first
 * syncs, each into a fresh database, and the 1,000,000-File syncs): for iterating on that target.
 */

const LATENCY_MS = 20;
/** Runs of the full first sync and of the 100,000-file sync (`BENCH_SYNC_ROUNDS`, default 3). */
const ROUNDS = Number(process.env.BENCH_SYNC_ROUNDS ?? 3);
/** The fixed concurrency of the earlier sync: the lower bound of issue 4 is kept for comparison. */
const CONCURRENCY = 16;
/** A resync that finds nothing changed needs the stores pages and the Files pages, no more. */
const MINIMAL_RESYNC = Math.ceil(1000 / 100) + Math.ceil(22_000 / 10_000);
const SECRET = 'bench-secret-bench-secret-bench-secret';
const thisFile = fileURLToPath(import.meta.url);
/** `BENCH_SYNC_CPU_PROF=<dir>`: a CPU profile of each measured sync process is written there. */
const PROFILE_DIR = process.env.BENCH_SYNC_CPU_PROF;
const serverDir = path.resolve(path.dirname(thisFile), '..');
/** `BENCH_SYNC_ONLY=million`: only the full first syncs and the 1,000,000-File syncs. */
const ONLY_MILLION = process.env.BENCH_SYNC_ONLY === 'million';

interface ChildSpec {
  mode: 'sync' | 'naive';
  url: string;
  accountId: string;
}

export interface ChildResult {
  ms: number;
  requests: number;
  /** Requests answered 429, and the limits the run ended with. */
  throttled: number;
  concurrencyLimit: number | null;
  rateLimit: number | null;
  status: string;
  maxRssMb: number;
  /** Peak of the JavaScript heap in use (live and garbage), sampled every 50 ms. */
  maxHeapMb: number;
  /** Peak of the memory outside the JavaScript heap (`external`: buffers, ArrayBuffers), sampled likewise. */
  maxExternalMb: number;
  /** The heap still in use after a full collection once the sync is over: what the sync retains. */
  liveHeapMb: number;
}

// --- In the child process -------------------------------------------------------------------------

/** The naive baseline: `for (const store of stores) await syncStore(store)`, one request at a time. */
async function naiveSync(spec: ChildSpec, services: ReturnType<typeof createServices>): Promise<number> {
  const account = (await services.accounts.findAccount(spec.accountId))!;
  let requests = 0;
  const client = createOpenAIClient(services.accounts.openaiConnection(account)!, {
    onRequest: () => requests++,
  });
  const writer = new MirrorWriter(services.db, account.id);
  const stores: VectorStore[] = [];
  for await (const store of client.vectorStores.list({ limit: 100 })) stores.push(store);
  const ids = await writer.upsertStores(stores, new Date());
  const syncStore = async (store: VectorStore) => {
    const files: VectorStoreFile[] = [];
    for await (const file of client.vectorStores.files.list(store.id, { limit: 100 })) files.push(file);
    await writer.ensureFiles(files);
    await writer.writeLinks(
      files.map((file) => ({ vectorStoreId: ids.get(store.id)!, file })),
      [],
    );
  };
  for (const store of stores) await syncStore(store);
  const files = await client.files.list({ limit: 10_000 });
  for await (const page of files.iterPages()) await writer.upsertFiles(page.data, new Date());
  return requests;
}

async function child(spec: ChildSpec): Promise<void> {
  // Default settings, as a user runs it: the pool's size, and no bounds on the adaptive limiter.
  const db = createDataSource({ url: spec.url });
  await db.initialize();
  const services = createServices(db, new SecretBox(SECRET));
  let maxHeap = 0;
  let maxExternal = 0;
  const sampler = setInterval(() => {
    const { heapUsed, external } = process.memoryUsage();
    maxHeap = Math.max(maxHeap, heapUsed);
    maxExternal = Math.max(maxExternal, external);
  }, 50);
  const started = performance.now();
  let requests: number;
  let status = 'SUCCEEDED';
  let limits: Pick<ChildResult, 'throttled' | 'concurrencyLimit' | 'rateLimit'> = {
    throttled: 0,
    concurrencyLimit: null,
    rateLimit: null,
  };
  if (spec.mode === 'sync') {
    const run = await services.sync.runSync({ accountId: spec.accountId, trigger: 'CLI' });
    requests = run.requests;
    status = run.status;
    limits = { throttled: run.throttled, concurrencyLimit: run.concurrencyLimit, rateLimit: run.rateLimit };
    // Why a run did not succeed, for the bench's error (the parent reads only the last line of stdout).
    if (status !== 'SUCCEEDED') process.stderr.write(`${JSON.stringify(run.errors.slice(0, 5))}\n`);
  } else requests = await naiveSync(spec, services);
  const ms = performance.now() - started;
  clearInterval(sampler);
  (globalThis as { gc?: () => void }).gc?.();
  const liveHeapMb = process.memoryUsage().heapUsed / 2 ** 20;
  await db.destroy();
  const result: ChildResult = {
    ms,
    requests,
    ...limits,
    status,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    maxHeapMb: maxHeap / 2 ** 20,
    maxExternalMb: maxExternal / 2 ** 20,
    liveHeapMb,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// --- In the bench process -------------------------------------------------------------------------

export async function runChild(spec: ChildSpec): Promise<ChildResult> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    // --expose-gc only lets the child measure its live heap once the sync is over.
    [
      '--expose-gc',
      ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      '--import',
      'tsx/esm',
      thisFile,
      '--child',
      JSON.stringify(spec),
    ],
    { cwd: serverDir, maxBuffer: 1 << 20 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
  if (result.status !== 'SUCCEEDED')
    throw new Error(`A benchmark sync ended ${result.status}: ${stderr.trim()}`);
  return result;
}

export interface Setup {
  url: string;
  accountId: string;
  emulator: RunningEmulator;
  apiKey: string;
  /** Replaces the database with a fresh one (and a new account), for another first sync. */
  freshDatabase(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh, migrated database with one account connected to a seeded emulator. */
export async function setUp(
  serverUrl: string,
  stores: number,
  orphanFiles: number,
  { filesPerStore = 20, latencyMs = LATENCY_MS } = {},
): Promise<Setup> {
  const name = `vs_bench_${process.pid}_${stores}_${filesPerStore}`;
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  const emulator = await startEmulator({ port: 0, attachDelayMs: 1 });
  const apiKey = `sk-bench-${stores}`;
  emulator.emulator.seed({ apiKey, stores, filesPerStore, orphanFiles });
  emulator.emulator.setFaults({ latencyMs });
  const setup: Setup = {
    url: `${serverUrl}/${name}`,
    accountId: '',
    emulator,
    apiKey,
    freshDatabase: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      const db = createDataSource({ url: setup.url, poolSize: 2 });
      await db.initialize();
      await db.runMigrations();
      const services = createServices(db, new SecretBox(SECRET));
      const account = await services.accounts.createAccount({
        name: `bench ${stores}`,
        openaiApiKey: apiKey,
        openaiBaseUrl: emulator.url,
      });
      await db.destroy();
      setup.accountId = account.id;
    },
    close: async () => {
      await emulator.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
  await setup.freshDatabase();
  return setup;
}

/** Adds one file to each of `count` stores (their summaries change, as 5% of an account might). */
async function changeStores(setup: Setup, count: number): Promise<void> {
  const client = createOpenAIClient({ apiKey: setup.apiKey, baseURL: setup.emulator.url, project: null });
  const stores: VectorStore[] = [];
  for await (const store of client.vectorStores.list({ limit: 100 })) stores.push(store);
  const step = Math.floor(stores.length / count);
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const file = await client.files.create({
        file: await toFile(Buffer.from(`change ${i}`), `c${i}.txt`),
        purpose: 'assistants',
      });
      await client.vectorStores.files.create(stores[i * step]!.id, { file_id: file.id });
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const check = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** One full first sync of a freshly seeded account in a database of its own. */
async function syncIntoFreshDatabase(server: string, stores: number, orphanFiles: number) {
  const setup = await setUp(server, stores, orphanFiles);
  try {
    return await runChild({ mode: 'sync', url: setup.url, accountId: setup.accountId });
  } finally {
    await setup.close();
  }
}

/** The median of some runs, metric by metric (wall time, peak RSS, peak heap, live heap). */
function medianRun(runs: ChildResult[]): ChildResult {
  const median = (pick: (r: ChildResult) => number) =>
    runs.map(pick).toSorted((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  return {
    ms: median((r) => r.ms),
    requests: median((r) => r.requests),
    throttled: median((r) => r.throttled),
    concurrencyLimit: runs[0]!.concurrencyLimit,
    rateLimit: runs[0]!.rateLimit,
    status: runs[0]!.status,
    maxRssMb: median((r) => r.maxRssMb),
    maxHeapMb: median((r) => r.maxHeapMb),
    maxExternalMb: median((r) => r.maxExternalMb),
    liveHeapMb: median((r) => r.liveHeapMb),
  };
}

/** A PostgreSQL server for the benches: `DATABASE_URL`'s, else an embedded one. Returns its URL without a database. */
export async function withBenchPostgres(work: (server: string) => Promise<void>): Promise<void> {
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
  try {
    await work(serverUrl.toString().replace(/\/$/, ''));
  } finally {
    await stopEmbedded();
  }
}

export async function benchSync(): Promise<void> {
  await withBenchPostgres(benchSyncOn);
}

/**
 * Peak RSS at 1,000,000 Files: the same 1,000 stores × 20, and 980,000 Files attached to none. The
 * emulator is seeded once (that takes a while); each first sync goes into a fresh database.
 */
async function millionSyncs(server: string): Promise<ChildResult[]> {
  const millions: ChildResult[] = [];
  const million = await setUp(server, 1000, 980_000);
  try {
    for (let run = 1; run <= ROUNDS; run++) {
      if (run > 1) await million.freshDatabase();
      millions.push(await runChild({ mode: 'sync', url: million.url, accountId: million.accountId }));
    }
  } finally {
    await million.close();
  }
  return millions;
}

const mb = (value: number | undefined) => (value === undefined ? '' : `${value.toFixed(0)} MB`);
const list = (runs: ChildResult[], pick: (r: ChildResult) => string) => runs.map(pick).join(', ');

/** The 1,000,000-File target: its median peak RSS against the full first sync's (22,000 Files). */
function millionTarget(full: ChildResult, millionRun: ChildResult) {
  const millionGrowth = millionRun.maxRssMb / full.maxRssMb;
  return {
    target: 'peak RSS 1,000,000 Files ≤ 1.2× RSS 22,000 Files',
    measured: `${millionRun.maxRssMb.toFixed(0)} MB / ${full.maxRssMb.toFixed(0)} MB = ${millionGrowth.toFixed(2)}×`,
    result: check(millionGrowth <= 1.2),
  };
}

/** `BENCH_SYNC_ONLY=million`: the full first syncs and the 1,000,000-File syncs, nothing else. */
async function benchMillionOn(server: string): Promise<void> {
  console.log(`\nSync (BENCH_SYNC_ONLY=million): full first syncs against 1,000,000-File syncs`);
  const fulls: ChildResult[] = [];
  for (let run = 1; run <= ROUNDS; run++) fulls.push(await syncIntoFreshDatabase(server, 1000, 2000));
  const millions = await millionSyncs(server);
  for (const [name, runs] of [
    ['Full first sync', fulls],
    ['1,000,000 Files', millions],
  ] as const) {
    console.log(
      `${name}: ${list(runs, (r) => seconds(r.ms))}; peak RSS ${list(runs, (r) => mb(r.maxRssMb))}; ` +
        `peak heap ${list(runs, (r) => mb(r.maxHeapMb))}; peak external ${list(runs, (r) => mb(r.maxExternalMb))}; ` +
        `live heap after ${list(runs, (r) => mb(r.liveHeapMb))}`,
    );
  }
  console.table([millionTarget(medianRun(fulls), medianRun(millions))]);
}

async function benchSyncOn(server: string): Promise<void> {
  if (ONLY_MILLION) return benchMillionOn(server);
  console.log(
    `\nSync: 1,000 stores × 20 files + 2,000 orphan Files, ${LATENCY_MS} ms per request, default ` +
      `settings (the limits are found by the sync; the lower bound assumes ${CONCURRENCY} in flight)`,
  );
  const small = await setUp(server, 1000, 2000);
  let quiet: ChildResult, changed: ChildResult, naive: ChildResult;
  const fulls: ChildResult[] = [];
  try {
    fulls.push(await runChild({ mode: 'sync', url: small.url, accountId: small.accountId }));
    quiet = await runChild({ mode: 'sync', url: small.url, accountId: small.accountId });
    await changeStores(small, 50);
    changed = await runChild({ mode: 'sync', url: small.url, accountId: small.accountId });
    naive = await runChild({ mode: 'naive', url: small.url, accountId: small.accountId });
  } finally {
    await small.close();
  }
  // More first syncs, each into a fresh database: single runs swing with this shared machine.
  for (let run = 2; run <= ROUNDS; run++) fulls.push(await syncIntoFreshDatabase(server, 1000, 2000));
  const minimalRequests = Math.ceil(1000 / 100) + 1000 * Math.ceil(20 / 100) + Math.ceil(22_000 / 10_000);
  const lowerBoundMs = (minimalRequests * LATENCY_MS) / CONCURRENCY;

  // Peak RSS against account size: 20,000 files (above) and 100,000 files (5,000 stores × 20).
  const larges: ChildResult[] = [];
  for (let run = 1; run <= ROUNDS; run++) larges.push(await syncIntoFreshDatabase(server, 5000, 0));
  const millions = await millionSyncs(server);
  const full = medianRun(fulls);
  const largeRun = medianRun(larges);
  const millionRun = medianRun(millions);
  console.log(
    `Sync: ${ROUNDS} runs each, the median shown. Full first sync: ${list(fulls, (r) => seconds(r.ms))}, ` +
      `peak RSS ${list(fulls, (r) => `${r.maxRssMb.toFixed(0)} MB`)}; 100,000 files: ` +
      `${list(larges, (r) => seconds(r.ms))}, peak RSS ${list(larges, (r) => `${r.maxRssMb.toFixed(0)} MB`)}; ` +
      `1,000,000 Files: ${list(millions, (r) => seconds(r.ms))}, peak RSS ${list(millions, (r) => `${r.maxRssMb.toFixed(0)} MB`)}`,
  );

  const row = (name: string, r: { ms: number; requests: number } & Partial<ChildResult>) => ({
    scenario: name,
    'wall time': seconds(r.ms),
    'API requests': r.requests,
    'peak RSS': mb(r.maxRssMb),
    'peak heap': mb(r.maxHeapMb),
    'peak external': mb(r.maxExternalMb),
    'live heap after': mb(r.liveHeapMb),
  });
  console.table([
    row('naive loop (full)', naive),
    row('lower bound (full)', { ms: lowerBoundMs, requests: minimalRequests }),
    row('full first sync (median)', full),
    row('no-change resync', quiet),
    row('resync after 5% changed', changed),
    row('full sync, 100,000 files (median)', largeRun),
    row('full sync, 1,000,000 Files (median)', millionRun),
  ]);
  const speedup = naive.ms / full.ms;
  const overBound = full.ms / lowerBoundMs;
  const quietShare = quiet.requests / full.requests;
  const rssGrowth = largeRun.maxRssMb / full.maxRssMb;
  console.table([
    {
      target: 'full sync ≥ 6× faster than naive',
      measured: `${speedup.toFixed(1)}×`,
      result: check(speedup >= 6),
    },
    {
      target: 'full sync ≤ 1.5× lower bound',
      measured: `${overBound.toFixed(2)}×`,
      result: check(overBound <= 1.5),
    },
    {
      target: 'no-change resync < 15% of full requests',
      measured: `${(quietShare * 100).toFixed(1)}%`,
      result: check(quietShare < 0.15),
    },
    {
      target: 'peak RSS 100k files < 1.5× RSS 20k files',
      measured: `${rssGrowth.toFixed(2)}×`,
      result: check(rssGrowth < 1.5),
    },
    millionTarget(full, millionRun),
    {
      target: 'no-change resync ≤ 1.1× minimal requests (stores + Files pages)',
      measured: `${quiet.requests} of ${MINIMAL_RESYNC} = ${(quiet.requests / MINIMAL_RESYNC).toFixed(2)}×`,
      result: check(quiet.requests <= 1.1 * MINIMAL_RESYNC),
    },
  ]);
  console.log(`Sync: the full first sync ended with ${full.concurrencyLimit} requests in flight allowed.`);
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) await child(JSON.parse(process.argv[childIndex + 1]!) as ChildSpec);
else if (process.argv[1] === thisFile) await benchSync();
