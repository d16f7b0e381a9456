import { toFile } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountEntity } from '../../src/db/entities/account.entity.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { SyncHeldError } from '../../src/services/sync/sync.service.ts';
import { createToken } from '../factories/index.ts';
import {
  createHarnessApp,
  createSyncHarness,
  mirrorState,
  remoteState,
  type SyncHarness,
} from './harness.ts';

/** Syncs against the shapes real OpenAI sends (the emulator's defaults), and against what it should not. */

let h: SyncHarness;
beforeEach(async () => {
  h = await createSyncHarness();
});
afterEach(async () => {
  await h.close();
});

const sync = () => h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });

async function upload(name: string, options: { expiresInSeconds?: number } = {}) {
  return h.openai.files.create({
    file: await toFile(Buffer.from(`Text of ${name}.`), name),
    purpose: 'assistants',
    ...(options.expiresInSeconds === undefined
      ? {}
      : { expires_after: { anchor: 'created_at' as const, seconds: options.expiresInSeconds } }),
  });
}

/** Names and metadata of mirrors by OpenAI id. */
async function mirrorNames(): Promise<Map<string, string | null>> {
  const rows: Array<{ external_id: string; name: string | null }> = await h.db.query(
    `SELECT external_id, name FROM vector_store WHERE account_id = $1 AND source = 'cache'`,
    [h.accountId],
  );
  return new Map(rows.map((row) => [row.external_id, row.name]));
}

const listPage = { limit: 50, inverted: false };

/** A GraphQL query as an admin of the harness's account. */
async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const token = await createToken(h.db, h.accountId, 'ADMIN');
  const response = await createHarnessApp(h).fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

describe('sync of the shapes OpenAI really sends', () => {
  it('mirrors unnamed stores, metadata {}, a batch, expired stores and Files with null fields exactly', async () => {
    h.emulator.emulator.seed({
      apiKey: h.apiKey,
      stores: 2,
      filesPerStore: 2,
      expiredStores: 2,
      orphanFiles: 2,
    });
    const [a, b, c] = [
      await upload('a.md'),
      await upload('b.md'),
      await upload('c.md', { expiresInSeconds: 7200 }),
    ];
    const unnamed = await h.openai.vectorStores.create({ file_ids: [a.id] });
    const unnamedEmpty = await h.openai.vectorStores.create({});
    const named = await h.openai.vectorStores.create({ name: 'Contracts', metadata: {} });
    await h.openai.vectorStores.fileBatches.create(named.id, { file_ids: [a.id, b.id, c.id] });
    h.emulator.emulator.settleAttachments();

    // What the emulator answers is what real OpenAI answers for these.
    const remoteUnnamed = await h.openai.vectorStores.retrieve(unnamed.id);
    expect(remoteUnnamed).toMatchObject({ name: null, description: null, expires_after: null, metadata: {} });
    expect(await h.openai.files.retrieve(a.id)).toMatchObject({ expires_at: null, status_details: null });

    const run = await sync();

    expect(run.errors).toEqual([]);
    expect(run).toMatchObject({ status: 'SUCCEEDED', storesCreated: 7 });
    const mirror = await mirrorState(h.db, h.accountId);
    expect(mirror).toEqual(await remoteState(h.openai));
    expect(mirror.stores.filter((store) => store.status === 'expired')).toHaveLength(2);
    const names = await mirrorNames();
    expect(names.get(unnamed.id)).toBeNull();
    expect(names.get(unnamedEmpty.id)).toBeNull();
    expect(names.get(named.id)).toBe('Contracts');

    // A store without a name is found by its OpenAI id, and sorts by it.
    const found = await h.services.vectorStores.list(
      h.accountId,
      { search: unnamed.id.slice(3, 20) },
      { field: 'NAME', direction: 'ASC' },
      listPage,
      false,
    );
    expect(found.map((store) => store.externalId)).toEqual([unnamed.id]);
    const byName = await h.services.vectorStores.list(
      h.accountId,
      {},
      { field: 'NAME', direction: 'ASC' },
      listPage,
      false,
    );
    const sortKeys = byName.map((store) => store.name ?? store.externalId!);
    expect(sortKeys).toEqual([...sortKeys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(sortKeys).toContain(unnamed.id);

    // Through the API: a null name beside its id, found by a part of the id.
    const answer = await graphql(
      `
        query ($search: String) {
          vectorStores(filter: { search: $search }) {
            edges {
              node {
                name
                externalId
              }
            }
          }
        }
      `,
      { search: unnamedEmpty.id.slice(-12) },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data.vectorStores.edges).toEqual([{ node: { name: null, externalId: unnamedEmpty.id } }]);
  });

  it('mirrors a store file sent without usage_bytes, chunking_strategy or attributes', async () => {
    const file = await upload('bare.md');
    const store = await h.openai.vectorStores.create({ name: 'Bare', file_ids: [file.id] });
    h.emulator.emulator.settleAttachments();
    // The shape a batch's file listing has had: the three keys absent. Unknown keys are ignored.
    h.emulator.emulator.corrupt(
      h.apiKey,
      file.id,
      { set: { added_later: { x: 1 } }, remove: ['usage_bytes', 'chunking_strategy', 'attributes'] },
      store.id,
    );

    const run = await sync();

    expect(run.errors).toEqual([]);
    expect(run.status).toBe('SUCCEEDED');
    const [link] = await h.db.query(
      `SELECT l.status, l.usage_bytes::int AS usage_bytes, l.attributes, l.chunking_strategy
         FROM vector_store_file l JOIN file f ON f.id = l.file_id WHERE f.external_id = $1`,
      [file.id],
    );
    // Absent is unknown: no usage counted, no attributes or strategy recorded.
    expect(link).toEqual({ status: 'completed', usage_bytes: 0, attributes: null, chunking_strategy: null });
  });
});

describe('an object that cannot be read', () => {
  it('mirrors a store whose expires_after the vocabulary cannot hold, with the error on that store', async () => {
    const created = await Promise.all(
      ['Too long', 'Other anchor', 'Fine'].map((name) =>
        h.openai.vectorStores.create({ name, expires_after: { anchor: 'last_active_at', days: 7 } }),
      ),
    );
    const [tooLong, otherAnchor, fine] = created as [
      (typeof created)[0],
      (typeof created)[0],
      (typeof created)[0],
    ];
    h.emulator.emulator.corrupt(h.apiKey, tooLong.id, {
      set: { expires_after: { anchor: 'last_active_at', days: 400 } },
      remove: [],
    });
    h.emulator.emulator.corrupt(h.apiKey, otherAnchor.id, {
      set: { expires_after: { anchor: 'created_at', days: 7 } },
      remove: [],
    });

    const run = await sync();

    expect(run.status).toBe('SUCCEEDED');
    const query = `{ vectorStores(orderBy: { field: NAME, direction: ASC }) { edges { node {
      name externalId syncError expirationPolicy { kind days } } } } }`;
    const first = await graphql(query);
    expect(first.errors).toBeUndefined();
    expect(first.data.vectorStores.edges.map((edge: any) => edge.node)).toEqual([
      {
        name: 'Fine',
        externalId: fine.id,
        syncError: null,
        expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 7 },
      },
      {
        name: 'Other anchor',
        externalId: otherAnchor.id,
        syncError:
          'OpenAI reports expires_after {"anchor":"created_at","days":7}, which is not mirrored: ' +
          'The only supported anchor is "last_active_at".',
        expirationPolicy: { kind: 'NEVER', days: null },
      },
      {
        name: 'Too long',
        externalId: tooLong.id,
        syncError:
          'OpenAI reports expires_after {"anchor":"last_active_at","days":400}, which is not mirrored: ' +
          'Days must be a whole number from 1 to 365.',
        expirationPolicy: { kind: 'NEVER', days: null },
      },
    ]);

    // OpenAI answers a policy the vocabulary holds again: the next sync mirrors it and clears the error.
    h.emulator.emulator.corrupt(h.apiKey, tooLong.id, { set: {}, remove: [] });
    expect((await sync()).status).toBe('SUCCEEDED');
    const [row] = await h.db.query(
      `SELECT expiration_days, sync_error FROM vector_store WHERE account_id = $1 AND external_id = $2`,
      [h.accountId, tooLong.id],
    );
    expect(row).toEqual({ expiration_days: 7, sync_error: null });
  });

  it('skips that store with its own error (PARTIAL) and mirrors every other store', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 4, filesPerStore: 2, orphanFiles: 1 });
    const stores = (await h.openai.vectorStores.list({ limit: 100 })).data;
    const [broken, kept] = [stores[0]!, stores[1]!];
    h.emulator.emulator.corrupt(h.apiKey, broken.id, { set: { file_counts: 'many' }, remove: [] });

    const first = await sync();

    expect(first.status).toBe('PARTIAL');
    expect(first.errors).toHaveLength(1);
    expect(first.errors[0]).toMatchObject({ vectorStoreExternalId: broken.id });
    expect(first.errors[0]!.message).toContain(
      `vector store (${broken.id}) that cannot be read: file_counts`,
    );
    const names = await mirrorNames();
    expect([...names.keys()].sort()).toEqual(
      stores
        .slice(1)
        .map((store) => store.id)
        .sort(),
    );

    // Readable again: mirrored; then unreadable once more: its mirror stays, the others follow OpenAI.
    h.emulator.emulator.corrupt(h.apiKey, broken.id, { set: {}, remove: [] });
    expect((await sync()).status).toBe('SUCCEEDED');
    h.emulator.emulator.corrupt(h.apiKey, broken.id, { set: {}, remove: ['id'] });
    await h.openai.vectorStores.update(kept.id, { name: 'Renamed while another is unreadable' });
    const third = await sync();
    expect(third.status).toBe('PARTIAL');
    expect(third.errors.map((error) => error.vectorStoreExternalId)).toEqual([null]);
    expect(third.errors[0]!.message).toContain('without a usable id');
    const after = await mirrorNames();
    expect(after.get(kept.id)).toBe('Renamed while another is unreadable');
    // Without its id the listing cannot prove it gone: its mirror is not removed.
    expect(after.has(broken.id)).toBe(true);
  });

  it('skips an unreadable File with its own error and keeps its mirror row', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 2, filesPerStore: 1, orphanFiles: 2 });
    expect((await sync()).status).toBe('SUCCEEDED');
    const files = (await h.openai.files.list()).data;
    const broken = files[0]!;
    h.emulator.emulator.corrupt(h.apiKey, broken.id, { set: { bytes: 'lots' }, remove: [] });

    const run = await sync();

    expect(run.status).toBe('PARTIAL');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatchObject({ vectorStoreExternalId: null });
    expect(run.errors[0]!.message).toContain(`File (${broken.id}) that cannot be read: bytes`);
    const [{ n }] = await h.db.query(
      `SELECT count(*)::int AS n FROM file WHERE account_id = $1 AND external_id = $2`,
      [h.accountId, broken.id],
    );
    expect(n).toBe(1);
  });
});

describe('a rejected API key', () => {
  it('ends the sync FAILED naming the account, holds scheduled syncs until the key changes, and is counted', async () => {
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 3, filesPerStore: 1 });
    expect((await sync()).status).toBe('SUCCEEDED');
    const before = await mirrorState(h.db, h.accountId);
    const account = await h.db.getRepository(AccountEntity).findOneByOrFail({ id: h.accountId });

    await fetch(`${h.emulator.url.replace(/\/v1$/, '')}/__emulator/keys/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: h.apiKey }),
    });
    const failed = await sync();

    expect(failed.status).toBe('FAILED');
    expect(failed.errors.map((error) => error.message)).toEqual([
      `OpenAI rejected the API key of account ${account.name} (invalid_api_key)`,
    ]);
    expect(JSON.stringify(failed.errors)).not.toContain(h.apiKey.slice(8, -4));
    expect(await mirrorState(h.db, h.accountId)).toEqual(before);
    const metrics = await new Metrics(h.db).registry.metrics();
    expect(metrics).toMatch(/^vs_align_accounts_openai_key_rejected 1$/m);
    const viewer = await graphql(`
      {
        viewer {
          account {
            openaiKeyRejection
          }
        }
      }
    `);
    expect(viewer.data.viewer.account.openaiKeyRejection).toBe(failed.errors[0]!.message);

    // Scheduled runs wait; an admin's run tries again (and fails again).
    await expect(h.services.sync.startSync({ accountId: h.accountId, trigger: 'SCHEDULE' })).rejects.toThrow(
      SyncHeldError,
    );
    expect((await sync()).status).toBe('FAILED');
    // The same key again changes nothing; a new key lets scheduled runs go.
    const connection = { baseURL: h.emulator.url, project: null };
    await h.services.accounts.setOpenAIConnection(h.accountId, { apiKey: h.apiKey, ...connection });
    await expect(h.services.sync.startSync({ accountId: h.accountId, trigger: 'SCHEDULE' })).rejects.toThrow(
      SyncHeldError,
    );
    await h.services.accounts.setOpenAIConnection(h.accountId, { apiKey: `${h.apiKey}-new`, ...connection });
    const resumed = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'SCHEDULE' });
    expect(resumed.status).toBe('SUCCEEDED');
    expect(await new Metrics(h.db).registry.metrics()).toMatch(/^vs_align_accounts_openai_key_rejected 0$/m);
    expect(
      (
        await graphql(`
          {
            viewer {
              account {
                openaiKeyRejection
              }
            }
          }
        `)
      ).data.viewer.account,
    ).toEqual({
      openaiKeyRejection: null,
    });
  });
});
