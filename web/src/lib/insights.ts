import type { ResultOf, SchemaEnum } from './graphql/graphql.ts';
import type { INSIGHTS_QUERY } from './graphql/documents.ts';
import { formatBytes, formatDuration, formatDurationMs, formatUsd } from './format.ts';

export type UsageRange = SchemaEnum<'UsageRange'>;
export type UsageResolution = SchemaEnum<'UsageResolution'>;
type Account = ResultOf<typeof INSIGHTS_QUERY>['viewer']['account'];
/** The history as the API sends it: one list per figure, aligned by index. */
export type UsageHistory = Account['usageHistory'];
/** One point of it: every figure at one index. */
export type UsagePoint = { [K in keyof UsageHistory]: UsageHistory[K][number] };
export type UsageForecast = NonNullable<Account['usageForecast']>;

export const RANGES: Array<{ value: UsageRange; label: string }> = [
  { value: 'DAY', label: '24 hours' },
  { value: 'WEEK', label: '7 days' },
  { value: 'MONTH', label: '30 days' },
  { value: 'QUARTER', label: '90 days' },
  { value: 'YEAR', label: '1 year' },
];
export const DEFAULT_RANGE: UsageRange = 'WEEK';

/** The spacing asked for each range: every run while it is short, then hours, then days. */
export const RESOLUTION_OF: Record<UsageRange, UsageResolution> = {
  DAY: 'RUN',
  WEEK: 'RUN',
  MONTH: 'HOUR',
  QUARTER: 'DAY',
  YEAR: 'DAY',
};

/** The history's columns as one object per point, oldest first. */
export function pointsOf(history: UsageHistory): UsagePoint[] {
  // Lists only: a client may add `__typename` to the object.
  const keys = (Object.keys(history) as Array<keyof UsageHistory>).filter((key) =>
    Array.isArray(history[key]),
  );
  return history.at.map((_, i) => {
    const point: Partial<Record<keyof UsageHistory, unknown>> = {};
    for (const key of keys) point[key] = history[key][i];
    return point as UsagePoint;
  });
}

export function parseRange(value: string | null): UsageRange {
  return RANGES.some((r) => r.value === value) ? (value as UsageRange) : DEFAULT_RANGE;
}

const DAY_MS = 86_400_000;

/** Decimal units, as OpenAI states its storage limit ("2.5 TB"): formatBytes would print 2.3 TB. */
export function formatDecimalBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${Number(value.toFixed(value < 10 ? 1 : 0))} ${units[unit]}`;
}

/** A date as the summaries write it: ISO (YYYY-MM-DD), readable in any locale and time zone. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One line of a chart: values aligned on the chart's x (seconds), null where it has none. */
export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** A CSS color (custom properties are resolved by the chart). */
  color: string;
  /** Which axis: the left one (`y`) or the right one (`y2`). */
  scale?: 'y' | 'y2';
  dash?: number[];
  format: (value: number) => string;
}

export interface ChartData {
  /** Seconds since the epoch, ascending. */
  x: number[];
  series: ChartSeries[];
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

export interface StorageChart extends ChartData {
  /** The quota is drawn only when the forecast reaches it within the chart's horizon. */
  quotaShown: boolean;
}

/**
 * Storage over time: File bytes (what the quota counts) and billed vector storage, the forecast line of
 * File bytes from the fit's first point as far ahead as the history reaches back (at most the range's
 * length), and the quota when the line reaches it within that horizon. A line drawn further than the
 * data it stands on would only flatten the data against the axis; the summary gives the date anyway.
 */
export function storageChart(
  points: UsagePoint[],
  forecast: UsageForecast | null,
  rangeDays: number,
): StorageChart {
  const x = points.map((p) => seconds(p.at));
  let quotaShown = false;
  if (forecast && x.length > 1) {
    const first = x[0]! * 1000;
    const last = x.at(-1)! * 1000;
    const horizon = last + Math.min(rangeDays * DAY_MS, last - first);
    const reach = Date.parse(forecast.reachesQuotaAt);
    quotaShown = reach > last && reach <= horizon;
    if (horizon > last) x.push((quotaShown ? reach : horizon) / 1000);
  }
  const pad = (values: Array<number | null>) => [...values, ...Array(x.length - values.length).fill(null)];
  const series: ChartSeries[] = [
    {
      label: 'File bytes',
      values: pad(points.map((p) => p.fileBytes)),
      color: 'var(--color-primary)',
      format: formatBytes,
    },
    {
      // On its own axis (right): vector storage is often far larger than the Files it holds, and
      // would flatten the File bytes the quota counts against the left axis.
      label: 'Billed vector storage (right axis)',
      values: pad(points.map((p) => p.usageBytes)),
      color: 'var(--color-mirror)',
      scale: 'y2',
      format: formatBytes,
    },
  ];
  if (forecast) {
    const from = Date.parse(forecast.fitFrom) / 1000;
    const line = (t: number) => forecast.bytesAtFitFrom + (forecast.slopeBytesPerDay * (t - from)) / 86_400;
    series.push({
      label: 'Forecast (File bytes)',
      values: x.map((t) => (t >= from ? line(t) : null)),
      color: 'var(--color-warning)',
      dash: [6, 4],
      format: formatBytes,
    });
    if (quotaShown) {
      series.push({
        label: 'Quota',
        values: x.map(() => forecast.quotaBytes),
        color: 'var(--color-danger)',
        dash: [2, 3],
        format: formatDecimalBytes,
      });
    }
  }
  return { x, series, quotaShown };
}

/** How much of the quota is used, for people: "Under 0.01%", "0.52%", "37%". */
export function quotaShare(bytes: number, quotaBytes: number): string {
  const share = (bytes / quotaBytes) * 100;
  return share < 0.01 ? 'Under 0.01%' : `${Number(share.toPrecision(2))}%`;
}

/**
 * What the forecast's line rests on: "a least-squares fit of 6 points over 4 minutes". The span is
 * said because a fit over minutes extrapolated to years means little, and the reader should see that.
 */
export function fitDescription(forecast: Pick<UsageForecast, 'points' | 'fitFrom' | 'fitTo'>): string {
  const span = Math.max(0, Date.parse(forecast.fitTo) - Date.parse(forecast.fitFrom));
  return `a least-squares fit of ${forecast.points} points over ${formatDuration(span)}`;
}

export function storageSummary(
  points: UsagePoint[],
  forecast: UsageForecast | null,
  quotaBytes: number,
): string {
  if (points.length === 0) return 'No sync has completed in this period: nothing to chart yet.';
  const first = points[0]!;
  const last = points.at(-1)!;
  const used = quotaShare(last.fileBytes, quotaBytes);
  const trend = forecast
    ? `At the current trend (+${formatBytes(forecast.slopeBytesPerDay)} a day, ${fitDescription(forecast)}) ` +
      `the quota is reached on ${isoDay(Date.parse(forecast.reachesQuotaAt))}.`
    : 'No rising trend (fewer than two points, or File bytes not growing): no date for the quota.';
  return (
    `File bytes went from ${formatBytes(first.fileBytes)} to ${formatBytes(last.fileBytes)} over ` +
    `${points.length} points (${isoDay(Date.parse(first.at))} to ${isoDay(Date.parse(last.at))}); billed ` +
    `vector storage is ${formatBytes(last.usageBytes)}. ${used} of the ${formatDecimalBytes(quotaBytes)} ` +
    `quota is used. ${trend}`
  );
}

export function costChart(points: UsagePoint[]): ChartData {
  return {
    x: points.map((p) => seconds(p.at)),
    series: [
      {
        label: 'Estimated cost per day',
        values: points.map((p) => p.estimatedDailyCostUsd),
        color: 'var(--color-danger)',
        format: formatUsd,
      },
    ],
  };
}

export function costSummary(points: UsagePoint[]): string {
  if (points.length === 0) return 'No cost recorded in this period.';
  const costs = points.map((p) => p.estimatedDailyCostUsd);
  const last = points.at(-1)!;
  return (
    `Estimated cost per day: ${formatUsd(last.estimatedDailyCostUsd)} now (${formatBytes(last.billableBytes)} ` +
    `billable), between ${formatUsd(Math.min(...costs))} and ${formatUsd(Math.max(...costs))} over the period.`
  );
}

export function orphanChart(points: UsagePoint[]): ChartData {
  const count = (label: string, pick: (p: UsagePoint) => number, color: string): ChartSeries => ({
    label,
    values: points.map(pick),
    color,
    format: (v) => Math.round(v).toLocaleString('en-US'),
  });
  return {
    x: points.map((p) => seconds(p.at)),
    series: [
      count('Orphan Files', (p) => p.orphanFiles, 'var(--color-danger)'),
      count('Stores without expiration', (p) => p.storesWithoutExpiration, 'var(--color-warning)'),
      count('Stores with count drift', (p) => p.storesWithCountDrift, 'var(--color-mirror)'),
    ],
  };
}

export function orphanSummary(points: UsagePoint[]): string {
  if (points.length === 0) return 'No orphan counts recorded in this period.';
  const first = points[0]!;
  const last = points.at(-1)!;
  return (
    `Orphan Files went from ${first.orphanFiles} to ${last.orphanFiles} (${formatBytes(last.orphanBytes)} now); ` +
    `${last.storesWithoutExpiration} billed stores have no expiration; ${last.storesWithCountDrift} mirrors ` +
    `have a file count that drifts from their listing.`
  );
}

export function runsChart(points: UsagePoint[]): ChartData {
  return {
    x: points.map((p) => seconds(p.at)),
    series: [
      {
        label: 'Duration per run',
        values: points.map((p) => p.syncDurationMs / Math.max(1, p.runs)),
        color: 'var(--color-primary)',
        format: formatDurationMs,
      },
      {
        label: 'Requests per run',
        values: points.map((p) => p.syncRequests / Math.max(1, p.runs)),
        color: 'var(--color-local)',
        scale: 'y2',
        format: (v) => Math.round(v).toLocaleString('en-US'),
      },
    ],
  };
}

export function runsSummary(points: UsagePoint[]): string {
  const runs = points.reduce((sum, p) => sum + p.runs, 0);
  if (runs === 0) return 'No sync run completed in this period.';
  const duration = points.reduce((sum, p) => sum + p.syncDurationMs, 0);
  const requests = points.reduce((sum, p) => sum + p.syncRequests, 0);
  const last = points.at(-1)!;
  return (
    `${runs} sync ${runs === 1 ? 'run' : 'runs'} completed, ${formatDurationMs(duration / runs)} and ` +
    `${Math.round(requests / runs).toLocaleString('en-US')} OpenAI requests per run on average; the last took ` +
    `${formatDurationMs(last.syncDurationMs / Math.max(1, last.runs))} and ` +
    `${Math.round(last.syncRequests / Math.max(1, last.runs)).toLocaleString('en-US')} requests.`
  );
}

const DAY_S = 86_400;

/**
 * Labels of a time axis's ticks (epoch seconds) in the reader's locale and time zone, as the rest of the
 * app writes instants (LocalTime), where uPlot's own are US-style ("12/1/26 8:27pm"). `spacing` is the
 * distance between ticks: months and days for wide ticks, times for narrow ones, with the date added
 * on a second line at the first tick and wherever the day changes.
 */
export function timeTickLabels(
  ticks: number[],
  spacing: number,
  locale?: string,
  timeZone?: string,
): string[] {
  const format = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, { ...options, timeZone });
  if (spacing >= 28 * DAY_S) {
    const month = format({ month: 'short', year: 'numeric' });
    return ticks.map((t) => month.format(t * 1000));
  }
  const day = format({ day: 'numeric', month: 'short' });
  if (spacing >= DAY_S) return ticks.map((t) => day.format(t * 1000));
  const time = format(spacing < 60 ? { timeStyle: 'medium' } : { timeStyle: 'short' });
  let lastDay = '';
  return ticks.map((t) => {
    const date = day.format(t * 1000);
    const label = time.format(t * 1000);
    if (date === lastDay) return label;
    lastDay = date;
    return `${label}\n${date}`;
  });
}
