import fc from 'fast-check';
import OpenAI, { toFile } from 'openai';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from './helpers.ts';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());
afterEach(() => expect(emu.log.failures).toEqual([]));

const newKey = (): string => `sk-${randomUUID()}`;

/** Asserts a 400 naming `param`. */
async function rejects400(call: Promise<unknown>, param: string | null): Promise<void> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
}

describe('vector stores', () => {
  it('creates, retrieves, modifies and deletes, with OpenAI objects', async () => {
    const client = emu.client(newKey());
    const created = await client.vectorStores.create({ name: 'Support KB', metadata: { team: 'support' } });
    expect(created).toMatchObject({
      object: 'vector_store',
      name: 'Support KB',
      status: 'completed',
      usage_bytes: 0,
    });
    expect(created.id).toMatch(/^vs_[0-9a-f]{32}$/);
    expect(Math.abs(created.created_at - Date.now() / 1000)).toBeLessThan(5);
    expect(created.file_counts).toEqual({ in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 });

    const modified = await client.vectorStores.update(created.id, {
      name: 'Support',
      metadata: { team: 'cx' },
    });
    expect(modified).toMatchObject({ name: 'Support', metadata: { team: 'cx' } });
    expect(await client.vectorStores.retrieve(created.id)).toEqual(modified);

    expect(await client.vectorStores.delete(created.id)).toEqual({
      id: created.id,
      object: 'vector_store.deleted',
      deleted: true,
    });
    await expect(client.vectorStores.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers unknown ids and routes with 404 and missing or malformed keys with 401, in the error envelope', async () => {
    const unknown = await emu.raw('GET', '/vector_stores/vs_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      error: { type: 'invalid_request_error', param: 'vector_store_id', code: null },
    });
    expect((await emu.raw('GET', '/no_such_route')).status).toBe(404);
    expect((await emu.raw('GET', '/vector_stores', { apiKey: null })).status).toBe(401);
    await expect(emu.client('not a key').vectorStores.list()).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const badJson = await emu.raw('POST', '/vector_stores', { body: '{"name": ' });
    expect(badJson.status).toBe(400);
  });

  it('keeps the data of each API key apart', async () => {
    const alice = emu.client(newKey());
    const bob = emu.client(newKey());
    const store = await alice.vectorStores.create({ name: 'private' });
    await expect(bob.vectorStores.retrieve(store.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await bob.vectorStores.list()).data).toEqual([]);
    expect((await alice.vectorStores.list()).data.map((s) => s.id)).toEqual([store.id]);
  });

  it('accepts limits at their edges and refuses them one step past, naming the param', async () => {
    const apiKey = newKey();
    const client = emu.client(apiKey);
    await emu.control('POST', 'seed', { apiKey, orphanFiles: 501 });
    const fileIds = (await client.files.list({ limit: 501 })).data.map((f) => f.id);
    expect(fileIds).toHaveLength(501);

    await expect(client.vectorStores.list({ limit: 1 })).resolves.toBeDefined();
    await expect(client.vectorStores.list({ limit: 100 })).resolves.toBeDefined();
    await rejects400(client.vectorStores.list({ limit: 0 }), 'limit');
    await rejects400(client.vectorStores.list({ limit: 101 }), 'limit');
    await rejects400(client.vectorStores.list({ order: 'sideways' as 'asc' }), 'order');

    const store = await client.vectorStores.create({ file_ids: fileIds.slice(0, 500) });
    expect(store.file_counts.total).toBe(500);
    await rejects400(client.vectorStores.create({ file_ids: fileIds }), 'file_ids');
    await rejects400(client.vectorStores.create({ file_ids: ['file-unknown'] }), 'file_ids[0]');

    const pairs = (n: number, key = (i: number) => `k${i}`, value = 'v'): Record<string, string> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [key(i), value]));
    await expect(client.vectorStores.create({ metadata: pairs(16) })).resolves.toBeDefined();
    await rejects400(client.vectorStores.create({ metadata: pairs(17) }), 'metadata');
    await expect(
      client.vectorStores.create({ metadata: pairs(1, () => 'k'.repeat(64)) }),
    ).resolves.toBeDefined();
    await rejects400(client.vectorStores.create({ metadata: pairs(1, () => 'k'.repeat(65)) }), 'metadata');
    await expect(
      client.vectorStores.create({ metadata: pairs(1, undefined, 'v'.repeat(512)) }),
    ).resolves.toBeDefined();
    await rejects400(
      client.vectorStores.create({ metadata: pairs(1, undefined, 'v'.repeat(513)) }),
      'metadata.k0',
    );

    for (const days of [1, 365]) {
      await expect(
        client.vectorStores.create({ expires_after: { anchor: 'last_active_at', days } }),
      ).resolves.toBeDefined();
    }
    for (const days of [0, 366]) {
      await rejects400(
        client.vectorStores.create({ expires_after: { anchor: 'last_active_at', days } }),
        'expires_after.days',
      );
    }

    const chunking = (max: number, overlap: number) => ({
      file_ids: [fileIds[0]!],
      chunking_strategy: {
        type: 'static' as const,
        static: { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap },
      },
    });
    await expect(client.vectorStores.create(chunking(100, 50))).resolves.toBeDefined();
    await expect(client.vectorStores.create(chunking(4096, 0))).resolves.toBeDefined();
    await rejects400(
      client.vectorStores.create(chunking(99, 0)),
      'chunking_strategy.static.max_chunk_size_tokens',
    );
    await rejects400(
      client.vectorStores.create(chunking(4097, 0)),
      'chunking_strategy.static.max_chunk_size_tokens',
    );
    await rejects400(
      client.vectorStores.create(chunking(800, 401)),
      'chunking_strategy.static.chunk_overlap_tokens',
    );
    await rejects400(client.vectorStores.create({ nmae: 'typo' } as never), 'nmae');
  });

  it('walks pages both ways, in both orders, returning every store exactly once in order', async () => {
    const apiKey = newKey();
    const client = emu.client(apiKey);
    await emu.control('POST', 'seed', { apiKey, stores: 23 });
    const all = (await client.vectorStores.list({ limit: 100, order: 'asc' })).data.map((s) => s.id);
    expect(all).toHaveLength(23);

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom('asc' as const, 'desc' as const),
        async (limit, order) => {
          const expected = order === 'asc' ? all : [...all].reverse();
          // Forward with `after`, as the SDK's iterator does.
          const forward: string[] = [];
          for await (const store of client.vectorStores.list({ limit, order })) forward.push(store.id);
          expect(forward).toEqual(expected);
          // Backward with `before`, from past the last object to the first.
          const backward: string[] = [];
          let before = expected[expected.length - 1]!;
          backward.unshift(before);
          for (;;) {
            const page = await client.vectorStores.list({ limit, order, before });
            backward.unshift(...page.data.map((s) => s.id));
            expect(page.data.length).toBeLessThanOrEqual(limit);
            if (!page.has_more) break;
            before = page.data[0]!.id;
          }
          expect(backward).toEqual(expected);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('pages on from a cursor whose object was deleted meanwhile', async () => {
    const apiKey = newKey();
    const client = emu.client(apiKey);
    await emu.control('POST', 'seed', { apiKey, stores: 5 });
    const first = await client.vectorStores.list({ limit: 2, order: 'asc' });
    await client.vectorStores.delete(first.data[1]!.id);
    const next = await client.vectorStores.list({ limit: 10, order: 'asc', after: first.data[1]!.id });
    expect(next.data).toHaveLength(3);
    await rejects400(client.vectorStores.list({ after: 'vs_never_existed' }), 'after');
  });

  it('moves last_active_at on use, not on reads, and expires against the clock keeping the Files', async () => {
    const client = emu.client(newKey());
    const file = await client.files.create({
      file: await toFile(Buffer.from('quarterly pricing'), 'p.txt'),
      purpose: 'assistants',
    });
    const store = await client.vectorStores.create({
      file_ids: [file.id],
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    expect(store.expires_at).toBe(store.last_active_at! + 86_400);

    await emu.control('POST', 'clock', { advanceSeconds: 3600 });
    const read = await client.vectorStores.retrieve(store.id);
    expect(read.last_active_at).toBe(store.last_active_at);
    await client.vectorStores.search(store.id, { query: 'pricing' });
    const used = await client.vectorStores.retrieve(store.id);
    expect(used.last_active_at).toBeGreaterThanOrEqual(store.last_active_at! + 3600);
    expect(used.expires_at).toBe(used.last_active_at! + 86_400);

    await emu.control('POST', 'clock', { advanceSeconds: 86_400 + 5 });
    const expired = await client.vectorStores.retrieve(store.id);
    expect(expired).toMatchObject({ status: 'expired', expires_at: used.expires_at, usage_bytes: 0 });
    expect(expired.file_counts.total).toBe(0);
    expect((await client.vectorStores.files.list(store.id)).data).toEqual([]);
    expect((await client.files.retrieve(file.id)).id).toBe(file.id);
    await rejects400(client.vectorStores.search(store.id, { query: 'pricing' }), null);
    await emu.control('POST', 'clock', { advanceSeconds: -(86_400 + 3605) });
  });

  it('keeps the Files when a store is deleted', async () => {
    const client = emu.client(newKey());
    const file = await client.files.create({
      file: await toFile(Buffer.from('kept'), 'kept.md'),
      purpose: 'assistants',
    });
    const store = await client.vectorStores.create({ file_ids: [file.id] });
    await client.vectorStores.delete(store.id);
    expect(await client.files.retrieve(file.id)).toMatchObject({ id: file.id });
    expect((await client.files.list()).data.map((f) => f.id)).toEqual([file.id]);
  });

  it('searches the text of completed files, honouring attribute filters', async () => {
    const client = emu.client(newKey());
    const upload = async (name: string, text: string) =>
      client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'assistants' });
    const refund = await upload('refund.md', 'Refunds take 14 days.\n\nShipping is free.');
    const shipping = await upload('shipping.md', 'Shipping takes 3 days.');
    const store = await client.vectorStores.create({ name: 'kb' });
    await client.vectorStores.files.createAndPoll(store.id, {
      file_id: refund.id,
      attributes: { lang: 'en', year: 2026 },
    });
    await client.vectorStores.files.createAndPoll(store.id, {
      file_id: shipping.id,
      attributes: { lang: 'fr', year: 2025 },
    });

    const hits = await client.vectorStores.search(store.id, { query: 'shipping days' });
    expect(hits.data.map((h) => h.file_id).sort()).toEqual([refund.id, shipping.id].sort());
    expect(hits.data[0]!.score).toBeGreaterThanOrEqual(hits.data[1]!.score);
    const filtered = await client.vectorStores.search(store.id, {
      query: 'shipping',
      filters: {
        type: 'and',
        filters: [
          { type: 'eq', key: 'lang', value: 'fr' },
          { type: 'gte', key: 'year', value: 2025 },
        ],
      },
    });
    expect(filtered.data.map((h) => h.file_id)).toEqual([shipping.id]);
    expect(filtered.data[0]!.content[0]).toEqual({ type: 'text', text: 'Shipping takes 3 days.' });
    await rejects400(
      client.vectorStores.search(store.id, { query: 'x', max_num_results: 51 }),
      'max_num_results',
    );
  });
});
