import type { DataSource, EntityManager } from 'typeorm';
import { AccountEntity } from '../db/entities/account.entity.ts';
import { epochMs, PreparedStatements } from '../db/prepared-statements.ts';
import { UsagePointEntity } from '../db/entities/usage-point.entity.ts';
import { VectorStoreEntity } from '../db/entities/vector-store.entity.ts';
import { ValidationError } from './errors.ts';
import type { OrphanService, OrphanTotals } from './orphan.service.ts';

/** How far back a history or a forecast looks. */
export type UsageRange = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';
/** One point per run (as kept), or the last point of each hour or UTC day. */
export type UsageResolution = 'RUN' | 'HOUR' | 'DAY';

const DAY_MS = 86_400_000;
export const RANGE_DAYS: Record<UsageRange, number> = { DAY: 1, WEEK: 7, MONTH: 30, QUARTER: 90, YEAR: 365 };

/**
 * Thinning: points older than a day are merged into one per hour, points older than 30 days into one
 * per UTC day. Level values keep the bucket's last point; run counters are summed (UsagePointEntity).
 */
export const HOURLY_AFTER_MS = DAY_MS;
export const DAILY_AFTER_MS = 30 * DAY_MS;

/** At most this many points per answer: a year of days, or a week of hours, fit. */
export const MAX_HISTORY_POINTS = 2_000;

/** Histories kept in memory (the most recently used): a year of days is about 40 kB. */
const KEPT_HISTORIES = 64;

/** A history as computed at `version`, true from `from` until `until` (epoch ms). */
interface KeptHistory {
  version: number;
  from: number;
  until: number;
  series: UsageSeries;
}

/** What a completed run contributes besides the account's levels. */
export interface CompletedRun {
  accountId: string;
  startedAt: Date;
  finishedAt: Date;
  requests: number;
  /** The orphan totals the run counted at its end, if it did (else they are counted here). */
  orphans?: OrphanTotals | null;
}

export interface UsageForecast {
  quotaBytes: number;
  /** Points the fit used (as kept) and the span they cover. */
  points: number;
  fitFrom: Date;
  fitTo: Date;
  /** Least-squares line of File bytes over time: value at `fitFrom`, slope per day. */
  bytesAtFitFrom: number;
  slopeBytesPerDay: number;
  /** The latest point's File bytes. */
  currentBytes: number;
  /** Where the line crosses the quota; in the past when the quota is already exceeded. */
  reachesQuotaAt: Date;
}

const POINT_COLUMNS = `at, mirror_stores AS "mirrorStores", local_stores AS "localStores", files,
  file_bytes::float8 AS "fileBytes", usage_bytes::float8 AS "usageBytes", billable_bytes::float8 AS "billableBytes",
  estimated_daily_cost_usd AS "estimatedDailyCostUsd", orphan_files AS "orphanFiles",
  orphan_bytes::float8 AS "orphanBytes", stores_without_expiration AS "storesWithoutExpiration",
  stores_with_count_drift AS "storesWithCountDrift"`;

/** A point as the API reads it (levels, and run counters summed over `runs`). */
export type UsagePoint = Omit<UsagePointEntity, 'id' | 'accountId' | 'account'>;

/** Points as columns, one list per figure, aligned by index: the shape charts draw from. */
export type UsageSeries = { [K in keyof UsagePoint]: Array<UsagePoint[K]> };

const SERIES_KEYS = [
  'at',
  'mirrorStores',
  'localStores',
  'files',
  'fileBytes',
  'usageBytes',
  'billableBytes',
  'estimatedDailyCostUsd',
  'orphanFiles',
  'orphanBytes',
  'storesWithoutExpiration',
  'storesWithCountDrift',
  'runs',
  'durationMs',
  'requests',
] as const satisfies ReadonlyArray<keyof UsagePoint>;

/** Rows to columns. */
function toSeries(points: UsagePoint[]): UsageSeries {
  const series = Object.fromEntries(SERIES_KEYS.map((key) => [key, points.map((point) => point[key])]));
  return series as UsageSeries;
}

/**
 * The account's usage over time (issue 17): a point per completed sync, computed in PostgreSQL with a
 * few aggregate queries, thinned on write; histories by range and resolution; a quota forecast.
 */
export class UsageHistoryService {
  private readonly statements: PreparedStatements;
  private readonly kept = new Map<string, KeptHistory>();

  constructor(
    private readonly db: DataSource,
    private readonly orphans: OrphanService,
  ) {
    this.statements = new PreparedStatements(db);
  }

  /**
   * Writes the account's point for a completed run, then thins its older points. Aggregates only: no
   * store or File row comes into JavaScript, so the cost does not grow with what a run read.
   */
  async recordRun(run: CompletedRun): Promise<void> {
    const [[levels], orphans, cost] = await Promise.all([
      this.db.query(
        `SELECT s.mirror_stores, s.local_stores, s.drift, f.files, f.bytes
           FROM (SELECT count(*) FILTER (WHERE source = 'cache') AS mirror_stores,
                        count(*) FILTER (WHERE backend = 'local') AS local_stores,
                        -- The SQL twin of VectorStore.countDrift (graphql/types/vector-store.ts).
                        count(*) FILTER (WHERE source = 'cache' AND files_listed_count IS NOT NULL
                                           AND files_listed_count <> file_count_total) AS drift
                   FROM vector_store WHERE account_id = $1) s,
                (SELECT count(*) AS files, coalesce(sum(bytes), 0) AS bytes FROM file WHERE account_id = $1) f`,
        [run.accountId],
      ) as Promise<
        Array<{ mirror_stores: string; local_stores: string; drift: string; files: string; bytes: string }>
      >,
      run.orphans ?? this.orphans.orphanTotals(run.accountId),
      this.orphans.storageCost(run.accountId),
    ]);
    const point = {
      accountId: run.accountId,
      at: run.finishedAt,
      mirrorStores: Number(levels!.mirror_stores),
      localStores: Number(levels!.local_stores),
      files: Number(levels!.files),
      fileBytes: Number(levels!.bytes),
      usageBytes: cost.totalUsageBytes,
      billableBytes: cost.billableBytes,
      estimatedDailyCostUsd: cost.estimatedDailyCostUsd,
      orphanFiles: orphans.count,
      orphanBytes: orphans.bytes,
      storesWithoutExpiration: cost.storesWithoutExpiration,
      storesWithCountDrift: Number(levels!.drift),
      runs: 1,
      durationMs: Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime()),
      requests: run.requests,
    };
    // One transaction: a history is never read with the new point but before its thinning.
    await this.db.transaction(async (manager) => {
      await manager.getRepository(UsagePointEntity).insert(point);
      await this.thinWith(manager, run.accountId, run.finishedAt);
    });
  }

  /**
   * Merges the account's points older than a day into one per hour, and those older than 30 days into
   * one per UTC day, as of `now`. The bucket's last point stays, carrying the sums of `runs`,
   * `duration_ms` and `requests`: totals over any range are unchanged. Returns the points removed.
   */
  async thin(accountId: string, now: Date): Promise<number> {
    return this.thinWith(this.db.manager, accountId, now);
  }

  /** `thin` in the caller's transaction; it bumps the account's `usageVersion`, as every write must. */
  private async thinWith(manager: EntityManager, accountId: string, now: Date): Promise<number> {
    const result = await manager.query(
      `WITH bucketed AS (
         SELECT id, at, runs, duration_ms, requests,
                CASE WHEN at < $2::timestamptz - make_interval(secs => $4 / 1000.0)
                     THEN date_trunc('day', at, 'UTC') ELSE date_trunc('hour', at, 'UTC') END AS bucket
           FROM usage_point
          WHERE account_id = $1 AND at < $2::timestamptz - make_interval(secs => $3 / 1000.0)
       ), ranked AS (
         SELECT id,
                row_number() OVER (PARTITION BY bucket ORDER BY at DESC, id DESC) AS rn,
                count(*) OVER (PARTITION BY bucket) AS n,
                sum(runs) OVER (PARTITION BY bucket) AS runs,
                sum(duration_ms) OVER (PARTITION BY bucket) AS duration_ms,
                sum(requests) OVER (PARTITION BY bucket) AS requests
           FROM bucketed
       ), merged AS (
         UPDATE usage_point p
            SET runs = r.runs, duration_ms = r.duration_ms, requests = r.requests
           FROM ranked r
          WHERE p.id = r.id AND r.rn = 1 AND r.n > 1
       ), written AS (
         UPDATE account SET usage_version = usage_version + 1 WHERE id = $1
       )
       DELETE FROM usage_point p USING ranked r WHERE p.id = r.id AND r.rn > 1`,
      [accountId, now, HOURLY_AFTER_MS, DAILY_AFTER_MS],
    );
    return (result as [unknown, number])[1];
  }

  /**
   * The account's points since `now - range`, oldest first. At HOUR or DAY resolution each bucket
   * (UTC) gives its last point's levels and the sums of its run counters.
   */
  async history(accountId: string, range: UsageRange, resolution: UsageResolution, now = new Date()) {
    return (await this.read(accountId, range, resolution, now)).points;
  }

  /**
   * `history` as columns, as the API serves it. A history stays what it was until the account's points
   * are written (`usageVersion`, read with the account) or its earliest point leaves the range, so it
   * is kept in memory until then: the Insights page reads the same history many times between syncs.
   */
  async series(
    account: Pick<AccountEntity, 'id' | 'usageVersion'>,
    range: UsageRange,
    resolution: UsageResolution,
    now = new Date(),
  ): Promise<UsageSeries> {
    const key = `${account.id} ${range} ${resolution}`;
    const kept = this.kept.get(key);
    const at = now.getTime();
    if (kept && kept.version === account.usageVersion && kept.from <= at && at < kept.until) {
      this.kept.delete(key); // most recently used last
      this.kept.set(key, kept);
      return kept.series;
    }
    const { points, earliestMs } = await this.read(account.id, range, resolution, now);
    const series = toSeries(points);
    const until = earliestMs === null ? Infinity : earliestMs + RANGE_DAYS[range] * DAY_MS;
    this.kept.delete(key);
    this.kept.set(key, { version: account.usageVersion, from: at, until, series });
    if (this.kept.size > KEPT_HISTORIES) this.kept.delete(this.kept.keys().next().value!);
    return series;
  }

  private async read(accountId: string, range: UsageRange, resolution: UsageResolution, now: Date) {
    const since = new Date(now.getTime() - RANGE_DAYS[range] * DAY_MS);
    const bucket = resolution === 'RUN' ? 'at' : `date_trunc('${resolution.toLowerCase()}', at, 'UTC')`;
    // One sort: each bucket's rows newest first, its run counters summed over the whole bucket; its
    // newest row stands for it. The newest buckets are kept, then turned oldest first. `earliestMs`
    // (the same on every row) is the range's first point: when it ages out, the history changes.
    const rows = await this.statements.rows<UsagePoint & { earliestMs: number }>(
      `SELECT at, "mirrorStores", "localStores", files, "fileBytes", "usageBytes", "billableBytes",
              "estimatedDailyCostUsd", "orphanFiles", "orphanBytes", "storesWithoutExpiration",
              "storesWithCountDrift", runs, "durationMs", requests,
              (SELECT ${epochMs('min(at)')} FROM usage_point WHERE account_id = $1 AND at >= $2) AS "earliestMs"
         FROM (SELECT ${POINT_COLUMNS},
                      row_number() OVER w AS newest,
                      (sum(runs) OVER w)::int AS runs,
                      (sum(duration_ms) OVER w)::float8 AS "durationMs",
                      (sum(requests) OVER w)::float8 AS requests
                 FROM (SELECT *, ${bucket} AS bucket FROM usage_point WHERE account_id = $1 AND at >= $2) p
               WINDOW w AS (PARTITION BY bucket ORDER BY at DESC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) b
        WHERE newest = 1
        ORDER BY at DESC
        LIMIT $3`,
      [accountId, since, MAX_HISTORY_POINTS],
    );
    const earliestMs = rows[0]?.earliestMs ?? null;
    const points = rows.reverse().map(({ earliestMs: _, ...point }): UsagePoint => point);
    return { points, earliestMs };
  }

  /**
   * When the account's File bytes reach `quotaBytes` at the current trend: an ordinary least-squares
   * line of File bytes against time, fitted over the window's points as kept (every run of the last
   * day, then one per hour, then one per day: the recent runs weigh most, which is the "current" in
   * current trend). Null with fewer than two points, or when the line does not rise.
   */
  async forecast(accountId: string, quotaBytes: number, window: UsageRange, now = new Date()) {
    if (!(quotaBytes > 0))
      throw new ValidationError('quotaBytes', 'The quota must be a positive number of bytes');
    const since = new Date(now.getTime() - RANGE_DAYS[window] * DAY_MS);
    const [row]: Array<{
      n: number;
      slope: number | null;
      intercept: number | null;
      first_at: Date | null;
      last_at: Date | null;
      current: number | null;
    }> = await this.db.query(
      `WITH kept AS (
         SELECT at, file_bytes::float8 AS bytes FROM usage_point WHERE account_id = $1 AND at >= $2
       ), fit AS (
         SELECT count(*)::int AS n, min(at) AS first_at, max(at) AS last_at,
                -- x in days since the window's start keeps the doubles well conditioned.
                regr_slope(bytes, extract(epoch FROM at - $2::timestamptz) / 86400) AS slope,
                regr_intercept(bytes, extract(epoch FROM at - $2::timestamptz) / 86400) AS intercept
           FROM kept
       )
       SELECT fit.*, (SELECT bytes FROM kept ORDER BY at DESC LIMIT 1) AS current FROM fit`,
      [accountId, since],
    );
    if (!row || row.n < 2 || row.slope === null || row.intercept === null || !(row.slope > 0)) return null;
    const dayAt = (days: number) => new Date(since.getTime() + days * DAY_MS);
    const firstDays = (row.first_at!.getTime() - since.getTime()) / DAY_MS;
    const reachesQuotaAt = dayAt((quotaBytes - row.intercept) / row.slope);
    if (Number.isNaN(reachesQuotaAt.getTime())) return null; // beyond what a Date holds
    return {
      quotaBytes,
      points: row.n,
      fitFrom: row.first_at!,
      fitTo: row.last_at!,
      bytesAtFitFrom: row.intercept + row.slope * firstDays,
      slopeBytesPerDay: row.slope,
      currentBytes: row.current ?? 0,
      reachesQuotaAt,
    } satisfies UsageForecast;
  }

  /** The stores OpenAI bills the most for: `isBilled` in SQL (domain/storage-cost.ts), by usage. */
  async costliestStores(accountId: string, limit: number): Promise<VectorStoreEntity[]> {
    return this.db
      .getRepository(VectorStoreEntity)
      .createQueryBuilder('vs')
      .where(`vs.account_id = :accountId AND vs.backend = 'openai' AND vs.status <> 'expired'`, { accountId })
      .andWhere('vs.usage_bytes > 0')
      .orderBy('vs.usage_bytes', 'DESC')
      .addOrderBy('vs.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Sets the account's storage quota (bytes of Files), the default of `forecast`. */
  async setStorageQuota(accountId: string, quotaBytes: number): Promise<AccountEntity> {
    if (!Number.isSafeInteger(quotaBytes) || quotaBytes <= 0) {
      throw new ValidationError('quotaBytes', 'The quota must be a positive whole number of bytes');
    }
    const repository = this.db.getRepository(AccountEntity);
    await repository.update(accountId, { storageQuotaBytes: quotaBytes });
    return repository.findOneByOrFail({ id: accountId });
  }
}
