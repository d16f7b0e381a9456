import { encodeGlobalID, resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { SyncRunEntity, type SyncRunError } from '../../db/entities/sync-run.entity.ts';
import type { SyncProgressEvent } from '../../events/sync-progress.ts';
import { releaseOnEnd } from '../../events/token-subscriptions.ts';
import { NotFoundError, ValidationError } from '../../services/errors.ts';
import { isUuid } from '../../services/ids.ts';
import type { PageRequest } from '../../services/keyset.ts';
import { edgeObject } from '../connection.ts';
import { builder } from '../builder.ts';
import { VectorStore } from './vector-store.ts';

export const SyncRunStatusEnum = builder.enumType('SyncRunStatus', {
  description: 'Where a sync run stands.',
  values: {
    RUNNING: { description: 'Still going.' },
    SUCCEEDED: { description: 'The mirror equals OpenAI as of this run.' },
    PARTIAL: {
      description: 'Some stores failed (see `errors`); the others were synced. Nothing unproven was removed.',
    },
    FAILED: {
      description:
        'The account could not be listed, or the process running it stopped; nothing unproven was removed.',
    },
  } as const,
});

const SyncTriggerEnum = builder.enumType('SyncTrigger', {
  description: 'What started a run.',
  values: {
    SCHEDULE: { description: "The account's sync schedule." },
    MANUAL: { description: 'The startSync mutation.' },
    CLI: { description: 'The server CLI (`pnpm cli sync`).' },
  } as const,
});

const SyncScopeEnum = builder.enumType('SyncScope', {
  description: 'What a run covers.',
  values: {
    ACCOUNT: { description: 'Every store and File of the account.' },
    VECTOR_STORE: { description: 'One store (and the Files of the account).' },
  } as const,
});

const SyncRunErrorType = builder.objectRef<SyncRunError>('SyncRunError').implement({
  description: 'A failure recorded on a run; it did not stop the other stores.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong.' }),
    vectorStoreExternalId: t.exposeString('vectorStoreExternalId', {
      nullable: true,
      description: "OpenAI's id of the store concerned; null when the failure concerns the whole account.",
    }),
    at: t.field({
      type: 'DateTime',
      description: 'When it happened.',
      resolve: (error) => new Date(error.at),
    }),
  }),
});

export const SyncRun = builder.node(SyncRunEntity, {
  name: 'SyncRun',
  description: 'One sync of an account (or of one store) with OpenAI: its outcome, counts and timings.',
  id: { resolve: (run) => run.id },
  loadMany: async (ids, context) => {
    const rows = await context.services.sync.findRunsByIds(context.principal.accountId, ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  },
  fields: (t) => ({
    status: t.expose('status', { type: SyncRunStatusEnum, description: 'Outcome, or RUNNING.' }),
    trigger: t.expose('trigger', { type: SyncTriggerEnum, description: 'What started it.' }),
    scope: t.field({
      type: SyncScopeEnum,
      description: 'The whole account, or one store.',
      resolve: (run) => (run.vectorStoreId ? 'VECTOR_STORE' : 'ACCOUNT'),
    }),
    vectorStore: t.field({
      type: VectorStore,
      nullable: true,
      description: 'The store of a VECTOR_STORE run (null for ACCOUNT runs, or once the store is gone).',
      resolve: (run, _args, context) =>
        run.vectorStoreId ? context.services.vectorStores.findById(run.accountId, run.vectorStoreId) : null,
    }),
    full: t.exposeBoolean('full', {
      description: 'Whether every store was listed again, changed or not (otherwise only changed stores).',
    }),
    phase: t.exposeString('phase', {
      description: 'What it is doing: starting, stores, files, cleanup, orphans, finished.',
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Null while RUNNING.',
    }),
    durationMs: t.int({
      nullable: true,
      description: 'Wall time in milliseconds; null while RUNNING.',
      resolve: (run) => (run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null),
    }),
    storesTotal: t.exposeInt('storesTotal', { description: 'Stores found in OpenAI so far.' }),
    storesDone: t.exposeInt('storesDone', { description: 'Stores handled (listed again, or unchanged).' }),
    storesCreated: t.exposeInt('storesCreated', { description: 'Mirrors created for new OpenAI stores.' }),
    storesUpdated: t.exposeInt('storesUpdated', { description: 'Mirrors whose fields changed.' }),
    storesRemoved: t.exposeInt('storesRemoved', {
      description: 'Mirrors removed: a complete listing proved them gone.',
    }),
    filesDone: t.exposeInt('filesDone', { description: 'Store files read from OpenAI.' }),
    filesCreated: t.exposeInt('filesCreated', { description: 'Store files (file links) newly mirrored.' }),
    filesUpdated: t.exposeInt('filesUpdated', {
      description: 'Store files whose status, usage, error, attributes or chunking changed.',
    }),
    filesRemoved: t.exposeInt('filesRemoved', {
      description: 'Store files removed (detached, or their store removed).',
    }),
    orphansFound: t.exposeInt('orphansFound', {
      description: "Orphan Files after the run: attached to no store, older than the account's grace period.",
    }),
    requests: t.exposeInt('requests', { description: 'HTTP requests sent to OpenAI, retries included.' }),
    retries: t.exposeInt('retries', {
      description: 'Requests that were retries (429, 5xx, timeouts, resets).',
    }),
    throttled: t.exposeInt('throttled', { description: 'Requests OpenAI answered 429 (too many requests).' }),
    concurrencyLimit: t.exposeInt('concurrencyLimit', {
      nullable: true,
      description: "Requests in flight the account's adaptive limiter allowed, as last seen by the run.",
    }),
    rateLimit: t.exposeFloat('rateLimit', {
      nullable: true,
      description:
        'Requests per second the limiter allowed (learnt from 429s, or OPENAI_MAX_RPS); null: none.',
    }),
    errors: t.field({
      type: [SyncRunErrorType],
      description: 'Failures recorded on the run (at most 100 are kept).',
      resolve: (run) => run.errors,
    }),
  }),
});

const SyncProgress = builder.objectRef<SyncProgressEvent>('SyncProgress').implement({
  description:
    'A progress snapshot of a run. Events carry totals, so a missed one is superseded by the next; ' +
    'a gap in `sequence` means events were missed, and `run` re-reads the row.',
  fields: (t) => ({
    run: t.field({
      type: SyncRun,
      nullable: true,
      description: 'The run as stored now (read on demand: select it to recover from missed events).',
      resolve: (event, _args, context) =>
        context.services.sync.findRun(context.principal.accountId, event.runId),
    }),
    runId: t.id({
      description: 'Global id of the run.',
      resolve: (event) => encodeGlobalID('SyncRun', event.runId),
    }),
    sequence: t.exposeInt('sequence', {
      description: 'Numbers the events of a run: 0 is the state at subscribe time.',
    }),
    status: t.field({
      type: SyncRunStatusEnum,
      description: 'The run status.',
      resolve: (event) => event.status,
    }),
    phase: t.exposeString('phase', { description: 'What the run is doing.' }),
    storesDone: t.exposeInt('storesDone', { description: 'Stores handled so far.' }),
    storesTotal: t.exposeInt('storesTotal', { description: 'Stores found so far.' }),
    filesDone: t.exposeInt('filesDone', { description: 'Store files read so far.' }),
    requests: t.exposeInt('requests', { description: 'Requests sent to OpenAI so far.' }),
    retries: t.exposeInt('retries', { description: 'Of which retries.' }),
    throttled: t.exposeInt('throttled', { description: 'Requests answered 429 so far.' }),
    concurrencyLimit: t.exposeInt('concurrencyLimit', {
      nullable: true,
      description: "Requests in flight the account's adaptive limiter allows now.",
    }),
    final: t.exposeBoolean('final', { description: 'The last event of the run: `status` is its outcome.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the snapshot was taken.' }),
  }),
});

builder.queryFields((t) => ({
  syncRuns: t.connection(
    {
      type: SyncRun,
      description: 'Sync runs of the account, newest first. Pages hold at most 100.',
      authScopes: { viewer: true },
      resolve: async (_root, args, context) => {
        const accountId = context.principal.accountId;
        const connection = await resolveCursorConnection(
          { args, defaultSize: 20, maxSize: 100, toCursor: (run) => context.services.sync.runCursor(run) },
          (page: PageRequest) => context.services.sync.listRuns(accountId, page),
        );
        return { ...connection, countTotal: () => context.services.sync.countRuns(accountId) };
      },
    },
    {
      name: 'SyncRunConnection',
      description: 'A page of sync runs.',
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many runs the account has, across all pages.',
          resolve: (connection) =>
            (connection as unknown as { countTotal: () => Promise<number> }).countTotal(),
        }),
      }),
    },
    edgeObject('SyncRunEdge', 'A run and its cursor.', SyncRun),
  ),
  syncRun: t.field({
    type: SyncRun,
    nullable: true,
    description: 'One run by its global id; null when it does not exist in this account.',
    authScopes: { viewer: true },
    args: { id: t.arg.globalID({ required: true, for: SyncRun, description: 'Global id of the run.' }) },
    resolve: (_root, args, context) => context.services.sync.findRun(context.principal.accountId, args.id.id),
  }),
}));

const StartSyncInput = builder.inputType('StartSyncInput', {
  description: 'What to sync.',
  fields: (t) => ({
    vectorStoreId: t.globalID({
      required: false,
      for: VectorStore,
      description: 'One mirror (source CACHE) to sync; absent = the whole account.',
    }),
  }),
});

builder.mutationField('startSync', (t) =>
  t.field({
    type: SyncRun,
    description:
      'Starts a sync and returns its run at once (RUNNING). If the account is already syncing (here or in ' +
      'another server process), the running run is returned instead: there is never more than one.',
    authScopes: { admin: true },
    errors: {
      types: [NotFoundError, ValidationError],
      directResult: true,
      union: { name: 'StartSyncResult' },
    },
    args: { input: t.arg({ type: StartSyncInput, required: false, description: 'What to sync.' }) },
    resolve: async (_root, { input }, context) => {
      const vectorStoreId = input?.vectorStoreId?.id ?? null;
      if (vectorStoreId !== null && !isUuid(vectorStoreId))
        throw new NotFoundError('VectorStore', vectorStoreId);
      const started = await context.services.sync.startSync({
        accountId: context.principal.accountId,
        trigger: 'MANUAL',
        vectorStoreId,
      });
      return started.run;
    },
  }),
);

const tooManySubscriptions = (perToken: number) =>
  new GraphQLError(`At most ${perToken} open subscriptions per token: close one first`, {
    extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', http: { status: 429 } },
  });

builder.subscriptionField('syncProgress', (t) =>
  t.field({
    type: SyncProgress,
    description:
      "Progress of the account's sync runs, throttled to a few events per second per run. With `runId`: " +
      'first the run as stored now, then its events, ending after its final event (sent exactly once). ' +
      'Without: events of every run of the account, as they come.',
    authScopes: { viewer: true },
    args: { runId: t.arg.globalID({ required: false, for: SyncRun, description: 'Only this run.' }) },
    subscribe: (_root, args, context) => {
      const lease = context.subscriptions.take(context.principal.tokenId);
      if (!lease) throw tooManySubscriptions(context.subscriptions.perToken);
      // Ends when the token is revoked; the slot is free again once the stream ended, however it ended.
      const events = context.services.sync.progress(
        context.principal.accountId,
        args.runId?.id ?? null,
        lease.signal,
      );
      return releaseOnEnd(events, lease);
    },
    resolve: (event) => event,
  }),
);
