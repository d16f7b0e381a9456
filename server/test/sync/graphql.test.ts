import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createInProcessSyncProgressBus, type SyncProgressBus } from '../../src/events/sync-progress.ts';
import { createToken, createVectorStore } from '../factories/index.ts';
import { createHarnessApp, createSyncHarness, type SyncHarness } from './harness.ts';

let h: SyncHarness;
let app: App;
/** Resolves when the next subscription to the progress bus is live (the bus promises nothing is missed after). */
let subscribed: () => Promise<void>;

function watchedBus() {
  const bus = createInProcessSyncProgressBus();
  const waiters: Array<() => void> = [];
  const watched: SyncProgressBus = {
    publish: (event) => bus.publish(event),
    subscribe: (accountId) => {
      const events = bus.subscribe(accountId);
      for (const resolve of waiters.splice(0)) resolve();
      return events;
    },
  };
  return { bus: watched, nextSubscription: () => new Promise<void>((resolve) => waiters.push(resolve)) };
}
let admin: string;
let viewer: string;

beforeEach(async () => {
  // Progress every 5 ms and a little latency: a run emits many events, which the test must see in order.
  const watched = watchedBus();
  subscribed = watched.nextSubscription;
  h = await createSyncHarness({ progressIntervalMs: 5, concurrency: 2 }, watched.bus);
  app = createHarnessApp(h);
  admin = await createToken(h.db, h.accountId, 'ADMIN');
  viewer = await createToken(h.db, h.accountId, 'VIEWER');
  h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 20, filesPerStore: 3 });
});
afterEach(async () => {
  await h.close();
});

async function graphql(query: string, variables: Record<string, unknown> = {}, token = admin) {
  const response = await app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: any }> };
}

const START = /* GraphQL */ `
  mutation ($input: StartSyncInput) {
    startSync(input: $input) {
      __typename
      ... on SyncRun {
        id
        status
        trigger
        scope
      }
      ... on NotFoundError {
        message
        id
      }
      ... on ValidationError {
        message
        field
      }
    }
  }
`;

/** Reads Server-Sent Events from the real Yoga app until the stream ends (or `until` says enough). */
async function subscribe(
  query: string,
  variables: Record<string, unknown>,
  options: { onOpen?: () => Promise<unknown>; until?: (event: any) => boolean } = {},
) {
  const abort = new AbortController();
  const response = await app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${viewer}`,
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  // Yoga attaches the subscription once the body is read: `onOpen` runs while the events are read.
  let openError: unknown;
  const opening = options.onOpen?.().catch((error: unknown) => {
    openError = error;
    abort.abort();
  });
  const events = await readEvents(response.body!, abort, options.until).catch((error: unknown) => {
    if (openError === undefined) throw error;
    return [];
  });
  await opening;
  if (openError !== undefined) throw openError;
  return events;
}

/** The `data` of each event until the stream completes, or until `until` says enough (then it aborts). */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  abort: AbortController,
  until?: (event: any) => boolean,
): Promise<any[]> {
  const events: any[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (block.startsWith('event: complete')) return events;
      if (data) events.push(JSON.parse(data));
      if (data && until?.(events.at(-1))) {
        abort.abort();
        return events;
      }
    }
  }
  return events;
}

describe('sync over GraphQL', () => {
  it('startSync returns the running run, and a second call at the same time gets that same run', async () => {
    const [first, second] = await Promise.all([graphql(START), graphql(START)]);
    expect(first.data.startSync).toMatchObject({
      __typename: 'SyncRun',
      trigger: 'MANUAL',
      scope: 'ACCOUNT',
    });
    expect(second.data.startSync.id).toBe(first.data.startSync.id);
    await h.services.sync.shutdown();

    const runs = await graphql(
      `
        {
          syncRuns(first: 10) {
            totalCount
            edges {
              node {
                id
                status
              }
            }
          }
        }
      `,
      {},
      viewer,
    );
    expect(runs.data.syncRuns.totalCount).toBe(1);
  });

  it('answers NotFoundError for an unknown store, ValidationError for a local one, FORBIDDEN for a viewer', async () => {
    const unknown = await graphql(START, {
      input: { vectorStoreId: encodeGlobalID('VectorStore', crypto.randomUUID()) },
    });
    expect(unknown.data.startSync.__typename).toBe('NotFoundError');
    const local = await createVectorStore(h.db, h.accountId);
    const refused = await graphql(START, {
      input: { vectorStoreId: encodeGlobalID('VectorStore', local.id) },
    });
    expect(refused.data.startSync).toMatchObject({ __typename: 'ValidationError', field: 'vectorStoreId' });
    const forbidden = await graphql(START, {}, viewer);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await h.db.query(`SELECT id FROM sync_run`)).toEqual([]);
  });

  it('exposes finished runs with their counts, newest first, and by global id', async () => {
    await h.services.sync.runSync({ accountId: h.accountId, trigger: 'CLI' });
    await h.services.sync.runSync({ accountId: h.accountId, trigger: 'SCHEDULE' });
    const page = await graphql(
      `
        {
          syncRuns(first: 1) {
            totalCount
            pageInfo {
              hasNextPage
              endCursor
            }
            edges {
              node {
                id
                status
                trigger
                full
                storesCreated
                filesCreated
                requests
                durationMs
                errors {
                  message
                }
              }
            }
          }
        }
      `,
      {},
      viewer,
    );
    expect(page.data.syncRuns.totalCount).toBe(2);
    expect(page.data.syncRuns.pageInfo.hasNextPage).toBe(true);
    expect(page.data.syncRuns.edges[0].node).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'SCHEDULE',
      full: false,
    });
    const next = await graphql(
      `
        query ($after: String) {
          syncRuns(first: 5, after: $after) {
            edges {
              node {
                id
                trigger
                storesCreated
                filesCreated
              }
            }
          }
        }
      `,
      { after: page.data.syncRuns.pageInfo.endCursor },
      viewer,
    );
    const first = next.data.syncRuns.edges[0].node;
    expect(first).toMatchObject({ trigger: 'CLI', storesCreated: 20, filesCreated: 60 });
    const one = await graphql(
      `
        query ($id: ID!) {
          syncRun(id: $id) {
            id
            status
          }
        }
      `,
      { id: first.id },
      viewer,
    );
    expect(one.data.syncRun).toMatchObject({ id: first.id, status: 'SUCCEEDED' });
  });

  it('streams ordered progress of a run over SSE and exactly one final event', async () => {
    h.emulator.emulator.setFaults({ latencyMs: 5 });
    const started = await graphql(START);
    const runId = started.data.startSync.id;
    const events = await subscribe(
      `subscription ($runId: ID) { syncProgress(runId: $runId) {
         runId sequence status phase storesDone storesTotal filesDone requests final } }`,
      { runId },
    );
    const progress = events.map((e) => e.data.syncProgress);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((p) => p.runId === runId)).toBe(true);
    expect(progress.filter((p) => p.final)).toHaveLength(1);
    expect(progress.at(-1)).toMatchObject({
      final: true,
      status: 'SUCCEEDED',
      storesDone: 20,
      filesDone: 60,
    });
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i].sequence).toBeGreaterThan(progress[i - 1].sequence);
      expect(progress[i].requests).toBeGreaterThanOrEqual(progress[i - 1].requests);
      expect(progress[i].storesDone).toBeGreaterThanOrEqual(progress[i - 1].storesDone);
    }

    // Subscribing to a finished run yields its outcome at once, read from its row.
    const late = await subscribe(
      `subscription ($runId: ID) { syncProgress(runId: $runId) { final status run { id } } }`,
      {
        runId,
      },
    );
    expect(late.map((e) => e.data.syncProgress)).toEqual([
      { final: true, status: 'SUCCEEDED', run: { id: runId } },
    ]);
  });

  it('streams the events of every run of the account when no run is named', async () => {
    h.emulator.emulator.setFaults({ latencyMs: 5 });
    let runId = '';
    const attached = subscribed();
    const events = await subscribe(
      `subscription { syncProgress { runId final status } }`,
      {},
      {
        onOpen: async () => {
          await attached;
          runId = (await graphql(START)).data.startSync.id;
        },
        until: (event) => event.data.syncProgress.final,
      },
    );
    const progress = events.map((e) => e.data.syncProgress);
    expect(progress.every((p) => p.runId === runId)).toBe(true);
    expect(progress.filter((p) => p.final)).toEqual([{ runId, final: true, status: 'SUCCEEDED' }]);
  });
});
