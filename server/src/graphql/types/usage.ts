import { AccountEntity } from '../../db/entities/account.entity.ts';
import { STORAGE_QUOTA_DEFAULT_BYTES } from '../../domain/storage-cost.ts';
import { ValidationError } from '../../services/errors.ts';
import { type UsageForecast, type UsageSeries } from '../../services/usage-history.service.ts';
import { builder } from '../builder.ts';
import { VectorStore } from './vector-store.ts';

const UsageRangeEnum = builder.enumType('UsageRange', {
  description: 'How far back from now a usage history or forecast looks.',
  values: {
    DAY: { value: 'DAY', description: 'The last 24 hours.' },
    WEEK: { value: 'WEEK', description: 'The last 7 days.' },
    MONTH: { value: 'MONTH', description: 'The last 30 days.' },
    QUARTER: { value: 'QUARTER', description: 'The last 90 days.' },
    YEAR: { value: 'YEAR', description: 'The last 365 days.' },
  } as const,
});

const UsageResolutionEnum = builder.enumType('UsageResolution', {
  description:
    'One point per sync run as kept, or one per hour or UTC day. Points older than a day are kept one per hour ' +
    'and points older than 30 days one per day, so a finer resolution than what is kept gives what is kept.',
  values: {
    RUN: { value: 'RUN', description: 'Every kept point.' },
    HOUR: { value: 'HOUR', description: 'The last point of each hour, run counters summed over the hour.' },
    DAY: { value: 'DAY', description: 'The last point of each UTC day, run counters summed over the day.' },
  } as const,
});

/**
 * The history as columns (one list per figure, aligned by index), as charts take it: a year of days is
 * 15 lists of 365 values, which GraphQL completes several times faster than 365 objects of 15 fields.
 */
const UsageHistoryRef = builder.objectRef<UsageSeries>('UsageHistory').implement({
  description:
    "The account's usage over time as columns: list i of every field belongs to the same point, oldest first. " +
    'A point stands for the completion of one or more sync runs. Level fields (stores, Files, bytes, cost, ' +
    'orphans, drift) are as they stood at `at`; run fields (`runs`, `syncDurationMs`, `syncRequests`) are ' +
    'summed over the runs the point stands for, so per-run figures are `syncDurationMs / runs` and ' +
    '`syncRequests / runs`.',
  fields: (t) => ({
    at: t.field({
      type: ['DateTime'],
      description: 'When the (last) run of each point finished.',
      resolve: (series) => series.at,
    }),
    mirrorStores: t.exposeIntList('mirrorStores', {
      description: 'Mirrors of OpenAI stores (source CACHE).',
    }),
    localStores: t.exposeIntList('localStores', { description: 'Stores kept here (backend LOCAL).' }),
    files: t.exposeIntList('files', { description: 'Files of the account, mirrored and local.' }),
    fileBytes: t.exposeFloatList('fileBytes', {
      description: "Their total `bytes`: what OpenAI's per-project storage limit (the quota) counts.",
    }),
    usageBytes: t.exposeFloatList('usageBytes', {
      description: '`usageBytes` of the stores OpenAI bills (see `storageCost`).',
    }),
    billableBytes: t.exposeFloatList('billableBytes', { description: '`usageBytes` beyond the free GiB.' }),
    estimatedDailyCostUsd: t.exposeFloatList('estimatedDailyCostUsd', {
      description: 'Estimated cost of one day at that usage, in US dollars ($0.10 per GiB per day).',
    }),
    orphanFiles: t.exposeIntList('orphanFiles', { description: 'Orphan Files (see `orphanFiles`).' }),
    orphanBytes: t.exposeFloatList('orphanBytes', { description: 'Their total bytes.' }),
    storesWithoutExpiration: t.exposeIntList('storesWithoutExpiration', {
      description: 'Billed stores with no expiration policy.',
    }),
    storesWithCountDrift: t.exposeIntList('storesWithCountDrift', {
      description: 'Mirrors whose OpenAI file count differs from their last complete listing (`countDrift`).',
    }),
    runs: t.exposeIntList('runs', { description: 'Sync runs each point stands for (1 until thinned).' }),
    syncDurationMs: t.floatList({
      description: 'Total duration of those runs, in milliseconds.',
      resolve: (series) => series.durationMs,
    }),
    syncRequests: t.floatList({
      description: 'Total OpenAI requests of those runs.',
      resolve: (series) => series.requests,
    }),
  }),
});

const UsageForecastRef = builder.objectRef<UsageForecast>('UsageForecast').implement({
  description:
    "Where the account's File bytes are heading: an ordinary least-squares line of `fileBytes` against time, " +
    'fitted over the points of the window as kept (every run of the last day, one per hour to 30 days, one per ' +
    'day beyond: the recent runs weigh most).',
  fields: (t) => ({
    quotaBytes: t.exposeFloat('quotaBytes', { description: 'The quota the forecast measures against.' }),
    points: t.exposeInt('points', { description: 'How many points the fit used.' }),
    fitFrom: t.expose('fitFrom', { type: 'DateTime', description: 'The first point of the fit.' }),
    fitTo: t.expose('fitTo', { type: 'DateTime', description: 'The last point of the fit.' }),
    bytesAtFitFrom: t.exposeFloat('bytesAtFitFrom', { description: 'The fitted line at `fitFrom`.' }),
    slopeBytesPerDay: t.exposeFloat('slopeBytesPerDay', {
      description: 'How many bytes a day the line rises (always positive: a flat or falling trend is null).',
    }),
    currentBytes: t.exposeFloat('currentBytes', { description: "The latest point's `fileBytes`." }),
    reachesQuotaAt: t.expose('reachesQuotaAt', {
      type: 'DateTime',
      description: 'When the line reaches `quotaBytes`; in the past when the quota is already exceeded.',
    }),
  }),
});

builder.objectFields(AccountEntity, (t) => ({
  storageQuotaBytes: t.exposeFloat('storageQuotaBytes', {
    description:
      `Bytes of Files the account may store: the default of \`usageForecast\`. Defaults to ${STORAGE_QUOTA_DEFAULT_BYTES} ` +
      '(2.5 TB), OpenAI\'s documented limit per project ("each project can store up to 2.5 TB of files in total").',
  }),
  usageHistory: t.field({
    type: UsageHistoryRef,
    description:
      "The account's usage over time, oldest first: a point per completed sync run, thinned as it ages (one per " +
      'hour after a day, one per UTC day after 30 days). At most 2,000 points (the newest), as columns.',
    authScopes: { viewer: true },
    args: {
      range: t.arg({
        type: UsageRangeEnum,
        required: true,
        defaultValue: 'MONTH',
        description: 'How far back to look.',
      }),
      resolution: t.arg({
        type: UsageResolutionEnum,
        required: true,
        defaultValue: 'HOUR',
        description: 'Point spacing.',
      }),
    },
    resolve: (account, { range, resolution }, context) =>
      context.services.usage.series(account, range, resolution),
  }),
  usageForecast: t.field({
    type: UsageForecastRef,
    nullable: true,
    description:
      'When File bytes reach the quota at the current trend: a least-squares linear fit of `fileBytes` over the ' +
      "window's points as kept. Null with fewer than two points or when the trend is not rising.",
    authScopes: { viewer: true },
    args: {
      quotaBytes: t.arg.float({
        required: false,
        description: 'The quota to reach; default `storageQuotaBytes`.',
      }),
      window: t.arg({
        type: UsageRangeEnum,
        required: true,
        defaultValue: 'MONTH',
        description: 'The points fitted.',
      }),
    },
    resolve: (account, { quotaBytes, window }, context) =>
      context.services.usage.forecast(account.id, quotaBytes ?? account.storageQuotaBytes, window),
  }),
  costliestStores: t.field({
    type: [VectorStore],
    description:
      'The stores OpenAI bills the most for, costliest first (by `usageBytes`; ties by id): OpenAI-backed, not ' +
      'expired, using bytes. At most `limit` (1 to 50).',
    authScopes: { viewer: true },
    args: {
      limit: t.arg.int({ required: true, defaultValue: 10, description: 'How many stores, 1 to 50.' }),
    },
    resolve: async (account, { limit }, context) => {
      if (limit < 1 || limit > 50) throw new ValidationError('limit', 'Between 1 and 50 stores');
      return context.services.usage.costliestStores(account.id, limit);
    },
  }),
}));

builder.mutationField('setStorageQuota', (t) =>
  t.field({
    type: AccountEntity,
    description: "Sets the account's storage quota (`storageQuotaBytes`), a positive whole number of bytes.",
    authScopes: { admin: true },
    errors: { types: [ValidationError], directResult: true, union: { name: 'SetStorageQuotaResult' } },
    args: { quotaBytes: t.arg.float({ required: true, description: 'The new quota, in bytes.' }) },
    resolve: (_root, { quotaBytes }, context) =>
      context.services.usage.setStorageQuota(context.principal.accountId, quotaBytes),
  }),
);
