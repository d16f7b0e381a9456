import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { ApiError, badRequest, faultError } from './errors.ts';
import { expectObject, integerInRange, numberInRange, rejectUnknownKeys, type Json } from './validation.ts';

/** The faults in force, as `POST /__emulator/faults` takes and returns them. */
export interface FaultSettings {
  latencyMs?: number;
  jitterMs?: number;
  /** Probability of answering with each HTTP status, e.g. `{ "429": 0.05, "500": 0.1 }`. */
  errorRates?: Record<string, number>;
  /** Probability of destroying the connection without an answer. */
  resetRate?: number;
  /** Probability of sending half an answer (its headers promising all of it), then destroying the connection. */
  cutRate?: number;
  /** Requests per second per API key before 429s (token bucket, one second of burst). */
  rateLimitPerSecond?: number;
  /** Route keys the faults apply to (`GET /v1/vector_stores`); absent = every route. */
  routes?: string[];
  /**
   * As OpenAI does: a File deleted through the Files API leaves its stores' `file_counts` as they
   * were (the store's file listing no longer has it), until the store's files change again.
   */
  staleFileCounts?: boolean;
  /** Seed of the draws from now on; absent = the emulator's fault seed (see `FaultInjector`). */
  seed?: number;
}

export const MAX_FAULT_SEED = 2 ** 32 - 1;

/**
 * The seed of an emulator's fault draws: `EMULATOR_FAULT_SEED` when set (to replay a failed run), else a
 * new one, which tests print when they fail.
 */
export function faultSeedFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['EMULATOR_FAULT_SEED'];
  if (raw === undefined || raw === '') return Math.floor(Math.random() * MAX_FAULT_SEED);
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_FAULT_SEED) {
    throw new Error(`EMULATOR_FAULT_SEED must be an integer from 0 to ${MAX_FAULT_SEED}, got '${raw}'.`);
  }
  return seed;
}

/** Numbers in [0, 1) that the same seed repeats. */
export function seededRandom(seed: number): () => number {
  const generator = xoroshiro128plus(seed);
  return () => uniformFloat64(generator);
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'reset' }
  | { kind: 'cut' }
  | { kind: 'error'; error: ApiError; retryAfterMs?: number };

/** A random 429 asks the client to wait this long (the SDK prefers `retry-after-ms` to `Retry-After`). */
const INJECTED_RETRY_AFTER_MS = 100;

export function parseFaults(value: unknown): FaultSettings {
  const body = expectObject(value, 'faults');
  rejectUnknownKeys(body, [
    'latencyMs',
    'jitterMs',
    'errorRates',
    'resetRate',
    'cutRate',
    'rateLimitPerSecond',
    'routes',
    'staleFileCounts',
    'seed',
  ]);
  const settings: FaultSettings = {};
  const count = (key: string): number | undefined =>
    body[key] === undefined ? undefined : integerInRange(body[key], key, 0, 600_000);
  const latencyMs = count('latencyMs');
  const jitterMs = count('jitterMs');
  if (latencyMs !== undefined) settings.latencyMs = latencyMs;
  if (jitterMs !== undefined) settings.jitterMs = jitterMs;
  if (body.seed !== undefined) settings.seed = integerInRange(body.seed, 'seed', 0, MAX_FAULT_SEED);
  if (body.resetRate !== undefined) settings.resetRate = numberInRange(body.resetRate, 'resetRate', 0, 1);
  if (body.cutRate !== undefined) settings.cutRate = numberInRange(body.cutRate, 'cutRate', 0, 1);
  if (body.rateLimitPerSecond !== undefined) {
    settings.rateLimitPerSecond = numberInRange(body.rateLimitPerSecond, 'rateLimitPerSecond', 0.001, 1e9);
  }
  if (body.errorRates !== undefined)
    settings.errorRates = parseErrorRates(expectObject(body.errorRates, 'errorRates'));
  if (body.staleFileCounts !== undefined) {
    if (typeof body.staleFileCounts !== 'boolean') {
      throw badRequest("'staleFileCounts' must be true or false.", 'staleFileCounts');
    }
    settings.staleFileCounts = body.staleFileCounts;
  }
  if (body.routes !== undefined) {
    if (!Array.isArray(body.routes) || !body.routes.every((r) => typeof r === 'string')) {
      throw badRequest('\'routes\' must be an array of strings like "GET /v1/vector_stores".', 'routes');
    }
    settings.routes = body.routes as string[];
  }
  return settings;
}

function parseErrorRates(rates: Json): Record<string, number> {
  let sum = 0;
  for (const [status, rate] of Object.entries(rates)) {
    const code = Number(status);
    if (!/^\d{3}$/.test(status) || code < 400 || code > 599) {
      throw badRequest(
        `errorRates keys are HTTP error statuses (400..599), got '${status}'.`,
        `errorRates.${status}`,
      );
    }
    sum += numberInRange(rate, `errorRates.${status}`, 0, 1);
  }
  if (sum > 1) throw badRequest('errorRates add up to more than 1.', 'errorRates');
  return rates as Record<string, number>;
}

/**
 * Draws every random fault from a seeded generator, reseeded whenever the faults change: the same seed
 * and the same requests give the same faults, so a failing run can be replayed.
 */
export class FaultInjector {
  private settings: FaultSettings = {};
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private random: () => number;

  constructor(readonly seed: number) {
    this.random = seededRandom(seed);
  }

  get current(): FaultSettings {
    return structuredClone(this.settings);
  }

  set(settings: FaultSettings): FaultSettings {
    this.settings = structuredClone(settings);
    this.random = seededRandom(settings.seed ?? this.seed);
    this.buckets.clear();
    return this.current;
  }

  /** Extra latency for this request (the caller sleeps asynchronously). */
  delayMs(routeKey: string): number {
    if (!this.applies(routeKey)) return 0;
    const { latencyMs = 0, jitterMs = 0 } = this.settings;
    return latencyMs + this.random() * jitterMs;
  }

  decide(routeKey: string, apiKey: string, nowMs: number): FaultDecision {
    if (!this.applies(routeKey)) return { kind: 'none' };
    const { resetRate = 0, cutRate = 0, rateLimitPerSecond, errorRates = {} } = this.settings;
    if (resetRate > 0 && this.random() < resetRate) return { kind: 'reset' };
    if (cutRate > 0 && this.random() < cutRate) return { kind: 'cut' };
    if (rateLimitPerSecond !== undefined) {
      const waitMs = this.takeToken(apiKey, rateLimitPerSecond, nowMs);
      if (waitMs > 0) return { kind: 'error', error: faultError(429), retryAfterMs: waitMs };
    }
    let draw = this.random();
    for (const [status, rate] of Object.entries(errorRates)) {
      if (draw < rate) {
        const code = Number(status);
        return code === 429
          ? { kind: 'error', error: faultError(429), retryAfterMs: INJECTED_RETRY_AFTER_MS }
          : { kind: 'error', error: faultError(code) };
      }
      draw -= rate;
    }
    return { kind: 'none' };
  }

  private applies(routeKey: string): boolean {
    return this.settings.routes === undefined || this.settings.routes.includes(routeKey);
  }

  /** Token bucket per key; returns 0 when a token was taken, else the ms until the next one. */
  private takeToken(apiKey: string, perSecond: number, nowMs: number): number {
    const bucket = this.buckets.get(apiKey) ?? { tokens: perSecond, atMs: nowMs };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * perSecond);
    bucket.atMs = nowMs;
    this.buckets.set(apiKey, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }
}
