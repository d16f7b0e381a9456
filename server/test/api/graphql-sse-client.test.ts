import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../factories/index.ts';
import { createHarnessApp, createSyncHarness, type SyncHarness } from '../sync/harness.ts';

let harness: SyncHarness;
let token: string;

beforeAll(async () => {
  harness = await createSyncHarness();
  harness.emulator.emulator.seed({ apiKey: harness.apiKey, stores: 5, filesPerStore: 3 });
  token = await createToken(harness.db, harness.accountId, 'ADMIN');
});

afterAll(async () => harness.close());

describe('syncProgress with a plain graphql-sse client', () => {
  it('streams a run to its final event', async () => {
    const app = createHarnessApp(harness);
    const fetchFn = (input: RequestInfo | URL, init?: RequestInit) => app.fetch(input as string, { ...init });
    const started = await app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { startSync(input: {}) { ... on SyncRun { id } } }' }),
    });
    const runId = ((await started.json()) as any).data.startSync.id as string;

    const client = createClient({
      url: 'http://localhost/graphql',
      fetchFn,
      headers: { authorization: `Bearer ${token}` },
    });
    const events: Array<{ sequence: number; final: boolean; status: string }> = [];
    const subscription = client.iterate<{
      syncProgress: { sequence: number; final: boolean; status: string };
    }>({
      query: 'subscription($id: ID) { syncProgress(runId: $id) { sequence final status } }',
      variables: { id: runId },
    });
    for await (const result of subscription) {
      expect(result.errors).toBeUndefined();
      events.push(result.data!.syncProgress);
    }
    client.dispose();

    expect(events.filter((e) => e.final)).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ final: true, status: 'SUCCEEDED' });
    const sequences = events.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  });
});
