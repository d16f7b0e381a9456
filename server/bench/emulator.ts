import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulator } from '../src/emulator/index.ts';

/**
 * Emulator list endpoints at size: 100,000 Files in 5,000 stores. For each endpoint, a bounded loop
 * over loopback walks pages with keep-alive (req/s as a client sees it, sequential and 8 in flight)
 * while the server times the emulator's own work per request (process.hrtime around the handler,
 * which for a GET runs synchronously up to res.end). Target: a list page in under 1 ms of emulator
 * time.
 */

const API_KEY = 'sk-bench';
const TARGET_MS = 1;

interface Scenario {
  name: string;
  /** The URLs one walk requests, in order (a walk follows `after` cursors). */
  walk: (
    get: (path: string) => Promise<{ data: Array<{ id: string }>; has_more: boolean }>,
  ) => Promise<number>;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function benchEmulator(): Promise<void> {
  const emulator = createEmulator();
  const seedStarted = performance.now();
  const seeded = emulator.seed({ apiKey: API_KEY, stores: 5000, filesPerStore: 20 });
  const seedMs = performance.now() - seedStarted;

  let timings: number[] = [];
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    emulator.handle(req, res);
    timings.push(Number(process.hrtime.bigint() - started) / 1e6);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return (await response.json()) as { data: Array<{ id: string }>; has_more: boolean };
  };
  const storeIds = emulator
    .account(API_KEY)
    .stores.values()
    .map((store) => store.id);

  const walkAll = (path: string) => async (fetchPage: typeof get) => {
    let requests = 0;
    let after: string | undefined;
    for (;;) {
      const page = await fetchPage(after === undefined ? path : `${path}&after=${after}`);
      requests++;
      if (!page.has_more) return requests;
      after = page.data[page.data.length - 1]!.id;
    }
  };
  const scenarios: Scenario[] = [
    { name: 'GET /v1/vector_stores?limit=100 (walk 5,000)', walk: walkAll('/v1/vector_stores?limit=100') },
    { name: 'GET /v1/files?limit=10000 (walk 100,000)', walk: walkAll('/v1/files?limit=10000') },
    { name: 'GET /v1/files?limit=100 (walk 100,000)', walk: walkAll('/v1/files?limit=100') },
    {
      name: 'GET /v1/vector_stores/{id}/files?limit=100 (1,000 stores)',
      walk: async (fetchPage) => {
        for (const id of storeIds.slice(0, 1000)) await fetchPage(`/v1/vector_stores/${id}/files?limit=100`);
        return 1000;
      },
    },
  ];

  const rows = [];
  for (const scenario of scenarios) {
    await scenario.walk(get); // warm-up
    timings = [];
    const started = performance.now();
    const requests = await scenario.walk(get);
    const sequentialRps = requests / ((performance.now() - started) / 1000);
    const sorted = [...timings].sort((a, b) => a - b);
    const concurrentStarted = performance.now();
    const inFlight = await Promise.all(Array.from({ length: 8 }, () => scenario.walk(get)));
    const concurrentRps =
      inFlight.reduce((a, b) => a + b, 0) / ((performance.now() - concurrentStarted) / 1000);
    const p50 = percentile(sorted, 50);
    rows.push({
      endpoint: scenario.name,
      requests,
      'req/s (1 client)': Math.round(sequentialRps),
      'req/s (8 clients)': Math.round(concurrentRps),
      'emulator ms p50': Number(p50.toFixed(3)),
      'emulator ms p99': Number(percentile(sorted, 99).toFixed(3)),
      'target ms': TARGET_MS,
      met: p50 < TARGET_MS ? 'yes' : 'no',
    });
  }
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

  console.log(
    `Emulator: seeded ${seeded.files.toLocaleString('en')} Files and ${seeded.stores.toLocaleString('en')} stores in ${seedMs.toFixed(0)} ms`,
  );
  console.table(rows);
}
