import OpenAI from 'openai';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from './helpers.ts';
import type { Stats } from '../../src/emulator/index.ts';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.control('POST', 'faults', {});
  await emu.control('DELETE', 'stats');
});
afterEach(() => expect(emu.log.failures).toEqual([]));

const newKey = (): string => `sk-${randomUUID()}`;
const LIST = 'GET /v1/vector_stores';
const countOf = async (route: string): Promise<number> =>
  (await emu.control<Stats>('GET', 'stats')).byRoute[route] ?? 0;

describe('fault injection', () => {
  it('answers 429 with Retry-After; the SDK retries (counted in stats), then raises RateLimitError', async () => {
    await emu.control('POST', 'faults', { errorRates: { '429': 1 } });
    const raw = await emu.raw('GET', '/vector_stores');
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(raw.body).toMatchObject({ error: { code: 'rate_limit_exceeded' } });

    await emu.control('DELETE', 'stats');
    const error = await emu
      .client(newKey(), { maxRetries: 2 })
      .vectorStores.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(await countOf(LIST)).toBe(3);
  });

  it('limits the request rate per key; the SDK waits as told and succeeds', async () => {
    await emu.control('POST', 'faults', { rateLimitPerSecond: 5 });
    const client = emu.client(newKey(), { maxRetries: 5 });
    for (let i = 0; i < 8; i++) await client.vectorStores.list();
    expect(await countOf(LIST)).toBeGreaterThan(8);
    // Another key has its own budget.
    const other = await emu.raw('GET', '/vector_stores', { apiKey: newKey() });
    expect(other.status).toBe(200);
  });

  it('answers 500 and 503 in the envelope; the SDK retries them', async () => {
    for (const status of ['500', '503']) {
      await emu.control('POST', 'faults', { errorRates: { [status]: 1 } });
      await emu.control('DELETE', 'stats');
      const error = await emu
        .client(newKey(), { maxRetries: 1 })
        .vectorStores.list()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(Number(status));
      expect(await countOf(LIST)).toBe(2);
    }
  });

  it('resets connections without answering: APIConnectionError once retries run out', async () => {
    await emu.control('POST', 'faults', { resetRate: 1 });
    const error = await emu
      .client(newKey(), { maxRetries: 1 })
      .vectorStores.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(await countOf(LIST)).toBe(2);
  });

  it('adds latency without blocking other requests, and only on the routes named', async () => {
    const latencyMs = 1000;
    await emu.control('POST', 'faults', { latencyMs, routes: [LIST] });
    const client = emu.client(newKey());
    const finished: string[] = [];
    const started = performance.now();
    const ends = await Promise.all([
      client.vectorStores.list().then(() => (finished.push('slow'), performance.now())),
      client.vectorStores.list().then(() => (finished.push('slow'), performance.now())),
      client.files.list().then(() => (finished.push('fast'), performance.now())),
    ]);
    // The route not named answers first; the named ones both waited, side by side: one after the
    // other, the second would end a whole latency after the first.
    expect(finished).toEqual(['fast', 'slow', 'slow']);
    expect(Math.min(ends[0]!, ends[1]!) - started).toBeGreaterThanOrEqual(latencyMs - 10);
    expect(Math.abs(ends[0]! - ends[1]!)).toBeLessThan(latencyMs);
  });

  it('reports and clears the faults in force, and refuses bad settings', async () => {
    const set = {
      latencyMs: 20,
      jitterMs: 5,
      errorRates: { '429': 0.05, '500': 0.1 },
      resetRate: 0.02,
      rateLimitPerSecond: 50,
      routes: [LIST],
    };
    expect(await emu.control('POST', 'faults', set)).toEqual(set);
    expect(await emu.control('POST', 'faults', {})).toEqual({});
    await expect(emu.control('POST', 'faults', { errorRates: { '429': 1.5 } })).rejects.toThrow(/400/);
    await expect(emu.control('POST', 'faults', { errorRates: { '200': 0.5 } })).rejects.toThrow(/400/);
    await expect(emu.control('POST', 'faults', { latency: 5 })).rejects.toThrow(/400/);
  });
});
