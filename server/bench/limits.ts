import OpenAI, { RateLimitError } from 'openai';
import { runChild, setUp, withBenchPostgres, type ChildResult } from './sync.ts';

/**
 * The adaptive limiter against OpenAI's two kinds of limit, at default settings:
 * - Latency: a full sync of 1,000 stores × 20 Files at 20 ms and at 250 ms per request, against a
 *   sequential loop over the same API (at 250 ms the loop is timed on 50 stores and scaled per request:
 *   it is linear by construction, and four minutes of waiting prove nothing more).
 * - Rate: the emulator allows R requests a second per key (R = 100 and 400; its bucket is drained
 *   first, so no burst flatters the figure): sustained throughput (answers that were not 429, per
 *   second of the run) ≥ 0.85 R, with ≤ 3% of requests answered 429.
 */
const SPEEDUP_TARGET = 6;
const THROUGHPUT_TARGET = 0.85;
const THROTTLED_TARGET = 0.03;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function latencyRow(server: string, latencyMs: number) {
  const full = await setUp(server, 1000, 0, { latencyMs });
  let sync: ChildResult;
  try {
    sync = await runChild({ mode: 'sync', url: full.url, accountId: full.accountId });
  } finally {
    await full.close();
  }
  // The sequential loop on a sample: 50 stores, scaled to the full sync's requests.
  const sample = await setUp(server, latencyMs > 100 ? 50 : 1000, 0, { latencyMs });
  let naiveMs: number;
  try {
    const naive = await runChild({ mode: 'naive', url: sample.url, accountId: sample.accountId });
    naiveMs = (naive.ms / naive.requests) * sync.requests;
  } finally {
    await sample.close();
  }
  const speedup = naiveMs / sync.ms;
  console.log(
    `Limits: ${latencyMs} ms latency: sync ${seconds(sync.ms)} (${sync.requests} requests, ended at ` +
      `${sync.concurrencyLimit} in flight), sequential loop ${seconds(naiveMs)}` +
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
  const setup = await setUp(server, stores, 0, { filesPerStore: 1 });
  try {
    setup.emulator.emulator.setFaults({ latencyMs: 20, rateLimitPerSecond: perSecond });
    await drainBucket(setup.emulator.url, setup.apiKey);
    const run = await runChild({ mode: 'sync', url: setup.url, accountId: setup.accountId });
    const throughput = ((run.requests - run.throttled) / run.ms) * 1000;
    const share = run.throttled / run.requests;
    console.log(
      `Limits: R = ${perSecond} req/s: ${run.requests} requests in ${seconds(run.ms)}, ` +
        `${throughput.toFixed(0)} answered/s = ${((throughput / perSecond) * 100).toFixed(0)}% of R ` +
        `(target ≥ ${THROUGHPUT_TARGET * 100}%): ${verdict(throughput >= THROUGHPUT_TARGET * perSecond)}; ` +
        `429s ${run.throttled} = ${(share * 100).toFixed(1)}% (target ≤ ${THROTTLED_TARGET * 100}%): ` +
        `${verdict(share <= THROTTLED_TARGET)}; rate learnt ${run.rateLimit ?? 'none'} req/s`,
    );
  } finally {
    await setup.close();
  }
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
