import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';

/** Seconds to wait before trying again, or 0 when the request may go on. */
export type Wait = number;

export interface RateLimits {
  /** One request of an authenticated token. */
  takeForToken(tokenId: string): Promise<Wait>;
  /** Checked before the token lookup, in memory: an address refused recently is refused again at once. */
  blockedAddress(address: string): Wait;
  /** One request that failed authentication (no token, or a bad one), counted per client address. */
  takeForUnauthenticated(address: string): Promise<Wait>;
}

export interface RateLimitOptions {
  /** Requests per second per token, on average over a window of `burst / perSecond` seconds. */
  perSecond: number;
  /** Requests a token may make at once (the window's budget). */
  burst: number;
  /** Unauthenticated requests (and so failed sign-ins) per client address per minute. */
  unauthenticatedPerMinute: number;
}

const TABLE = 'rate_limit';
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * A fixed-window limiter on PostgreSQL (`rate_limit`, see its migration), so every replica shares one
 * budget. Should PostgreSQL fail, an in-memory limiter of the same rule takes over (per replica).
 */
function sharedLimiter(pool: pg.Pool, keyPrefix: string, points: number, duration: number) {
  return new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: TABLE,
    tableCreated: true,
    keyPrefix,
    points,
    duration,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
  });
}

/**
 * Per-token limits without a database round trip on every request: a replica takes a few points at a
 * time from the shared budget (a lease) and spends them locally. The total across replicas never
 * exceeds the budget; a replica may refuse up to `lease - 1` requests early at the end of a window.
 */
class LeasedLimiter {
  private readonly leases = new Map<string, { left: number; until: number }>();
  private readonly blocked = new Map<string, number>();
  private readonly pending = new Map<string, Promise<Wait>>();

  constructor(
    private readonly limiter: RateLimiterPostgres,
    private readonly lease: number,
  ) {}

  async take(key: string): Promise<Wait> {
    const now = Date.now();
    const held = this.leases.get(key);
    if (held && held.left > 0 && now < held.until) {
      held.left -= 1;
      return 0;
    }
    const blockedUntil = this.blocked.get(key);
    if (blockedUntil !== undefined && now < blockedUntil) return seconds(blockedUntil - now);
    // Concurrent requests of one key wait for one lease instead of each taking their own.
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight.then(() => this.take(key));
    const taking = this.renew(key, now).finally(() => this.pending.delete(key));
    this.pending.set(key, taking);
    return taking;
  }

  private async renew(key: string, now: number): Promise<Wait> {
    this.prune(now);
    try {
      const res = await this.limiter.consume(key, this.lease);
      this.leases.set(key, { left: this.lease - 1, until: now + res.msBeforeNext });
      this.blocked.delete(key);
      return 0;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      this.leases.delete(key);
      // A smaller lease may still fit what is left of the window.
      if (this.lease > 1) {
        const left = this.limiter.points - (error.consumedPoints - this.lease);
        if (left > 0) return this.takeSingles(key, left, now, error.msBeforeNext);
      }
      this.blocked.set(key, now + error.msBeforeNext);
      return seconds(error.msBeforeNext);
    }
  }

  /** Grants the last points of a window one by one (a lease was refused for lack of a whole one). */
  private takeSingles(key: string, left: number, now: number, msBeforeNext: number): Wait {
    // The refused lease was counted: the points it reserved are the remainder we may still hand out.
    this.leases.set(key, { left: left - 1, until: now + msBeforeNext });
    return 0;
  }

  /** Forgets keys whose window is over, so memory stays bounded by the keys of the current window. */
  private prune(now: number): void {
    if (this.leases.size + this.blocked.size < 10_000) return;
    for (const [key, lease] of this.leases) if (now >= lease.until) this.leases.delete(key);
    for (const [key, until] of this.blocked) if (now >= until) this.blocked.delete(key);
  }
}

/** Failed authentications per address: each one is counted in PostgreSQL; a refusal blocks in memory. */
class AddressLimiter {
  private readonly blocked = new Map<string, number>();

  constructor(private readonly limiter: RateLimiterPostgres) {}

  blockedFor(address: string): Wait {
    const until = this.blocked.get(address);
    if (until === undefined) return 0;
    const now = Date.now();
    if (now < until) return seconds(until - now);
    this.blocked.delete(address);
    return 0;
  }

  async take(address: string): Promise<Wait> {
    try {
      await this.limiter.consume(address, 1);
      return 0;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      if (this.blocked.size > 10_000) this.blocked.clear();
      this.blocked.set(address, Date.now() + error.msBeforeNext);
      return seconds(error.msBeforeNext);
    }
  }
}

/** The limits of one replica, sharing their counters with every other replica through PostgreSQL. */
export function createRateLimits(db: DataSource, options: RateLimitOptions): RateLimits {
  const pool = (db.driver as unknown as { master: pg.Pool }).master;
  const window = Math.max(1, Math.ceil(options.burst / options.perSecond));
  const tokens = new LeasedLimiter(
    sharedLimiter(pool, 'token', options.burst, window),
    // About a twentieth of the budget per lease: a round trip per 5 requests at the defaults.
    Math.max(1, Math.floor(options.burst / 20)),
  );
  const addresses = new AddressLimiter(sharedLimiter(pool, 'address', options.unauthenticatedPerMinute, 60));
  return {
    takeForToken: (tokenId) => tokens.take(tokenId),
    blockedAddress: (address) => addresses.blockedFor(address),
    takeForUnauthenticated: (address) => addresses.take(address),
  };
}
