import { describe, expect, it } from 'vitest';
import {
  fitDescription,
  pointsOf,
  formatDecimalBytes,
  parseRange,
  quotaShare,
  runsChart,
  runsSummary,
  storageChart,
  timeTickLabels,
  type UsageForecast,
  type UsagePoint,
} from './insights.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-06-01T00:00:00.000Z');

function point(dayOffset: number, overrides: Partial<UsagePoint> = {}): UsagePoint {
  return {
    at: new Date(T0 + dayOffset * DAY).toISOString(),
    mirrorStores: 1,
    localStores: 0,
    files: 1,
    fileBytes: 1e9 * (dayOffset + 1),
    usageBytes: 0,
    billableBytes: 0,
    estimatedDailyCostUsd: 0,
    orphanFiles: 0,
    orphanBytes: 0,
    storesWithoutExpiration: 0,
    storesWithCountDrift: 0,
    runs: 1,
    syncDurationMs: 1000,
    syncRequests: 10,
    ...overrides,
  };
}

const forecast = (reachesQuotaAt: number, quotaBytes = 10e9): UsageForecast => ({
  quotaBytes,
  points: 5,
  fitFrom: new Date(T0).toISOString(),
  fitTo: new Date(T0 + 4 * DAY).toISOString(),
  bytesAtFitFrom: 1e9,
  slopeBytesPerDay: 1e9,
  currentBytes: 5e9,
  reachesQuotaAt: new Date(reachesQuotaAt).toISOString(),
});

describe('storageChart', () => {
  const points = [0, 1, 2, 3, 4].map((d) => point(d));

  it('draws the forecast as far ahead as the history reaches back, and the quota when the line gets there', () => {
    // History spans days 0-4, so the horizon is day 8; at 1 GB a day from 1 GB, 10 GB comes on day 9.
    const far = storageChart(points, forecast(T0 + 9 * DAY), 30);
    expect(far.quotaShown).toBe(false);
    expect(far.x.at(-1)! * 1000).toBe(T0 + 8 * DAY);
    const line = far.series.find((s) => s.label.startsWith('Forecast'))!;
    expect(line.values.at(-1)).toBeCloseTo(9e9);
    expect(far.series.some((s) => s.label === 'Quota')).toBe(false);

    const near = storageChart(points, forecast(T0 + 6 * DAY, 7e9), 30);
    expect(near.quotaShown).toBe(true);
    expect(near.x.at(-1)! * 1000).toBe(T0 + 6 * DAY);
    expect(near.series.find((s) => s.label === 'Quota')!.values.every((v) => v === 7e9)).toBe(true);
    // The data lines have no value at the forecast's end.
    expect(near.series[0]!.values.at(-1)).toBeNull();
  });

  it('never reaches past the range', () => {
    const chart = storageChart(points, forecast(T0 + 9 * DAY), 1);
    expect(chart.x.at(-1)! * 1000).toBe(T0 + 5 * DAY);
  });

  it('draws no forecast without one', () => {
    const chart = storageChart(points, null, 30);
    expect(chart.x).toHaveLength(5);
    expect(chart.series.map((s) => s.label)).toEqual(['File bytes', 'Billed vector storage (right axis)']);
  });
});

describe('per-run figures', () => {
  it('divide the summed counters of a thinned point by its runs', () => {
    const points = [point(0), point(1, { runs: 4, syncDurationMs: 8000, syncRequests: 100 })];
    const chart = runsChart(points);
    expect(chart.series[0]!.values).toEqual([1000, 2000]);
    expect(chart.series[1]!.values).toEqual([10, 25]);
    expect(runsSummary(points)).toBe(
      '5 sync runs completed, 1.8 s and 22 OpenAI requests per run on average; the last took 2 s and 25 requests.',
    );
  });
});

describe('small helpers', () => {
  it('write the quota as OpenAI does, its share readably, and fall back to a week', () => {
    expect(formatDecimalBytes(2_500_000_000_000)).toBe('2.5 TB');
    expect(quotaShare(1_300_000, 2.5e12)).toBe('Under 0.01%');
    expect(quotaShare(0.37 * 2.5e12, 2.5e12)).toBe('37%');
    expect(parseRange('YEAR')).toBe('YEAR');
    expect(parseRange('nope')).toBe('WEEK');
  });
});

describe('fitDescription', () => {
  it('says how many points the line rests on and over how long', () => {
    const fit = { points: 6, fitFrom: '2026-12-01T16:50:00.000Z', fitTo: '2026-12-01T16:54:30.000Z' };
    expect(fitDescription(fit)).toBe('a least-squares fit of 6 points over 4 minutes');
    expect(fitDescription({ ...fit, fitTo: '2026-12-04T17:00:00.000Z' })).toBe(
      'a least-squares fit of 6 points over 3 days',
    );
  });
});

describe('pointsOf', () => {
  it('turns the columns the API sends into one point per index', () => {
    const history = {
      at: ['2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z'],
      fileBytes: [10, 20],
      runs: [1, 3],
      __typename: 'UsageHistory',
    } as unknown as Parameters<typeof pointsOf>[0];
    expect(pointsOf(history)).toEqual([
      { at: '2026-12-01T10:00:00.000Z', fileBytes: 10, runs: 1 },
      { at: '2026-12-01T11:00:00.000Z', fileBytes: 20, runs: 3 },
    ]);
  });
});

describe('timeTickLabels', () => {
  const at = (iso: string) => Date.parse(iso) / 1000;
  it('writes times in the locale, with the date at the first tick and where the day changes', () => {
    const ticks = [at('2026-12-01T23:00:00Z'), at('2026-12-01T23:30:00Z'), at('2026-12-02T00:00:00Z')];
    expect(timeTickLabels(ticks, 1800, 'en-GB', 'UTC')).toEqual(['23:00\n1 Dec', '23:30', '00:00\n2 Dec']);
    expect(timeTickLabels(ticks.slice(0, 1), 1800, 'en-US', 'UTC')).toEqual(['11:00 PM\nDec 1']);
    expect(timeTickLabels([at('2026-12-01T23:00:05Z')], 5, 'en-GB', 'UTC')).toEqual(['23:00:05\n1 Dec']);
  });
  it('writes days, then months, for wider ticks', () => {
    expect(timeTickLabels([at('2026-12-01T00:00:00Z')], 86_400, 'en-GB', 'UTC')).toEqual(['1 Dec']);
    expect(timeTickLabels([at('2026-12-01T00:00:00Z')], 31 * 86_400, 'en-GB', 'UTC')).toEqual(['Dec 2026']);
  });
});
