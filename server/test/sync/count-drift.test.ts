import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../factories/index.ts';
import { createHarnessApp, createSyncHarness, type SyncHarness } from './harness.ts';

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const STORES = /* GraphQL */ `
  {
    vectorStores(filter: { source: CACHE }) {
      edges {
        node {
          externalId
          fileCounts {
            total
          }
          countDrift {
            reported
            listed
          }
        }
      }
    }
  }
`;

async function storesOf(harness: SyncHarness) {
  const app = createHarnessApp(harness);
  const token = await createToken(harness.db, harness.accountId, 'VIEWER');
  const response = await app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: STORES }),
  });
  const body = (await response.json()) as { data: { vectorStores: { edges: Array<{ node: any }> } } };
  return new Map(body.data.vectorStores.edges.map(({ node }) => [node.externalId as string, node]));
}

describe('count drift', () => {
  it('flags a mirror whose OpenAI file count stays stale after a File deletion, keeping the count OpenAI reports', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 3, filesPerStore: 4 });
    await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
    const [store] = (await h.openai.vectorStores.list({ limit: 1 })).data;
    expect((await storesOf(h)).get(store!.id)).toMatchObject({ fileCounts: { total: 4 }, countDrift: null });

    // OpenAI deletes the File and detaches it, but the store's file_counts stay as they were.
    h.emulator.emulator.setFaults({ staleFileCounts: true });
    const [attached] = (await h.openai.vectorStores.files.list(store!.id, { limit: 1 })).data;
    await h.openai.files.delete(attached!.id);
    expect((await h.openai.vectorStores.retrieve(store!.id)).file_counts.total).toBe(4);
    const run = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });

    expect(run.status).toBe('SUCCEEDED');
    const stores = await storesOf(h);
    expect(stores.get(store!.id)).toMatchObject({
      fileCounts: { total: 4 },
      countDrift: { reported: 4, listed: 3 },
    });
    // The other stores agree with their listings.
    for (const [id, node] of stores) if (id !== store!.id) expect(node.countDrift).toBeNull();
  });
});
