import OpenAI, { RateLimitError } from 'openai';
import { runChild, setUp, withBenchPostgres, type ChildResult } from './sync.ts';

/**
 * The adaptive limiter against OpenAI's two kinds of limit, at default settings:
 * Each row runs three times (each into a fresh database and emulator) and is judged on its median.
 * - Latency: a full sync of 1,000 stores × 20 Files at 20 ms and at 250 ms per request, against a
 *   sequential loop over the same API (at 250 ms the loop is timed on 50 stores and scaled per request:
 *   it is linear by construction, and four minutes of waiting prove nothing more).
 * - Rate: the emulator allows R requests a second per key (R = 100 and 400; its bucket is drained
 *   first, so no burst flatters the figure): sustained throughput (answers that were not 429, per
 *   second of the run) ≥ 0.85 R, with ≤ 3% of requests answered 429.
 */
/** Runs of each row (`BENCH_LIMITS_ROUNDS`, default 3); targets are judged on the median. */
const ROUNDS = Number(process.env.BENCH_LIMITS_ROUNDS ?? 3);
const SPEEDUP_TARGET = 6;
const THROUGHPUT_TARGET = 0.85;
const THROTTLED_TARGET = 0.03;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

const median = (values: number[]) => values.toSorted((x, y) => x - y)[Math.floor(values.length / 2)]!;
const listed = (values: number[], show: (value: number) => string) => values.map(show).join(', ');

async function latencyRow(server: string, latencyMs: number) {
  const syncs: ChildResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const full = await setUp(server, 1000, 0, { latencyMs });
    try {
      syncs.push(await runChild({ mode: 'sync', url: full.url, accountId: full.accountId }));
    } finally {
      await full.close();
    }
  }
  // The sequential loop once, on a sample: 50 stores, scaled to the full sync's requests.
  const sample = await setUp(server, latencyMs > 100 ? 50 : 1000, 0, { latencyMs });
  let msPerRequest: number;
  try {
    const naive = await runChild({ mode: 'naive', url: sample.url, accountId: sample.accountId });
    msPerRequest = naive.ms / naive.requests;
  } finally {
    await sample.close();
  }
  const syncMs = median(syncs.map((sync) => sync.ms));
  const requests = median(syncs.map((sync) => sync.requests));
  const naiveMs = msPerRequest * requests;
  const speedup = naiveMs / syncMs;
  console.log(
    `Limits: ${latencyMs} ms latency: sync ${seconds(syncMs)} (median of ${listed(
      syncs.map((sync) => sync.ms),
      seconds,
    )}; ${requests} requests, ended at ${listed(
      syncs.map((sync) => sync.concurrencyLimit ?? 0),
      String,
    )} in flight), sequential loop ${seconds(naiveMs)}` +
      `${latencyMs > 100 ? ' (scaled from 50 stores)' : ''}: ${speedup.toFixed(1)}× ` +
      `(target ≥ ${SPEEDUP_TARGET}×): ${verdict(speedup >= SPEEDUP_TARGET)}`,
  );
}

/** Spends the key's burst: asks, 64 at a time (faster than any refill here), until a 429 comes. */
async function drainBucket(baseURL: string, apiKey: string): Promise<void> {
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  for (let round = 0; round < 1000; round++) {
    const answers = await Promise.allSettled(
      Array.from({ length: 64 }, () => client.vectorStores.list({ limit: 1 })),
    );
    if (answers.some((answer) => answer.status === 'rejected' && answer.reason instanceof RateLimitError))
      return;
  }
  throw new Error('The emulator never answered 429: is its rate limit set?');
}

async function rateRow(server: string, perSecond: number) {
  // About ten seconds of work at R = 100, and at R = 400 as many stores as fill a few seconds.
  const stores = perSecond <= 100 ? 1000 : 2000;
  const throughputs: number[] = [];
  const shares: number[] = [];
  const learnt: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const setup = await setUp(server, stores, 0, { filesPerStore: 1 });
    try {
      setup.emulator.emulator.setFaults({ latencyMs: 20, rateLimitPerSecond: perSecond });
      await drainBucket(setup.emulator.url, setup.apiKey);
      const run = await runChild({ mode: 'sync', url: setup.url, accountId: setup.accountId });
      throughputs.push(((run.requests - run.throttled) / run.ms) * 1000);
      shares.push(run.throttled / run.requests);
      learnt.push(`${run.rateLimit ?? 'none'}`);
    } finally {
      await setup.close();
    }
  }
  const throughput = median(throughputs);
  const share = median(shares);
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  console.log(
    `Limits: R = ${perSecond} req/s (median of ${ROUNDS}): ${throughput.toFixed(0)} answered/s = ` +
      `${percent(throughput / perSecond)} of R (${listed(throughputs, (t) => percent(t / perSecond))}; ` +
      `target ≥ ${THROUGHPUT_TARGET * 100}%): ${verdict(throughput >= THROUGHPUT_TARGET * perSecond)}; ` +
      `429s ${percent(share)} of requests (${listed(shares, percent)}; target ≤ ${THROTTLED_TARGET * 100}%): ` +
      `${verdict(share <= THROTTLED_TARGET)}; rate learnt ${learnt.join(', ')} req/s`,
  );
}

export async function benchLimits(): Promise<void> {
  await withBenchPostgres(async (server) => {
    console.log('\nLimits: full sync at default settings; the limits are found by the sync');
    await latencyRow(server, 20);
    await latencyRow(server, 250);
    await rateRow(server, 100);
    await rateRow(server, 400);
  });
}

if (process.argv[1] === import.meta.filename) await benchLimits();
