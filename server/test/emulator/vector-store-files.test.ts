import fc from 'fast-check';
import OpenAI, { toFile } from 'openai';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestEmulator, type TestEmulator } from './helpers.ts';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ attachDelayMs: 30 });
});
afterAll(() => emu.close());
afterEach(() => expect(emu.log.failures).toEqual([]));

const newKey = (): string => `sk-${randomUUID()}`;

async function badRequestParam(call: Promise<unknown>): Promise<string | null | undefined> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  return (error as InstanceType<typeof OpenAI.BadRequestError>).param;
}

const upload = async (client: OpenAI, name: string, content: string | Buffer) =>
  client.files.create({ file: await toFile(Buffer.from(content), name), purpose: 'assistants' });

/** file_counts add up, agree with the listings, and usage_bytes is the sum of the completed files. */
async function expectConsistent(client: OpenAI, storeId: string): Promise<void> {
  const store = await client.vectorStores.retrieve(storeId);
  const { total, ...byStatus } = store.file_counts;
  expect(Object.values(byStatus).reduce((a, b) => a + b, 0)).toBe(total);
  const all = [];
  for await (const file of client.vectorStores.files.list(storeId, { limit: 100 })) all.push(file);
  expect(all).toHaveLength(total);
  for (const status of ['in_progress', 'completed', 'failed', 'cancelled'] as const) {
    const listed = [];
    for await (const file of client.vectorStores.files.list(storeId, { filter: status, limit: 100 }))
      listed.push(file);
    expect(listed.every((file) => file.status === status)).toBe(true);
    expect(listed).toHaveLength(store.file_counts[status]);
  }
  const completedUsage = all
    .filter((f) => f.status === 'completed')
    .reduce((sum, f) => sum + f.usage_bytes, 0);
  expect(store.usage_bytes).toBe(completedUsage);
}

describe('vector store files', () => {
  it('attaches asynchronously: in_progress, then completed, or failed with unsupported_file', async () => {
    const client = emu.client(newKey());
    const good = await upload(client, 'guide.md', '# Guide\n\nHow to onboard.');
    const exe = await upload(client, 'setup.exe', 'MZ');
    const empty = await upload(client, 'empty.txt', '');
    const binary = await upload(client, 'data.txt', Buffer.from([104, 0, 105]));
    const store = await client.vectorStores.create({ name: 'lifecycle' });

    // Slow enough that the store is still in progress when read back, however loaded the machine.
    emu.emulator.setAttachDelayMs(60_000);
    const attached = await client.vectorStores.files.create(store.id, {
      file_id: good.id,
      attributes: { kind: 'guide' },
    });
    expect(attached).toMatchObject({
      id: good.id,
      object: 'vector_store.file',
      status: 'in_progress',
      vector_store_id: store.id,
      last_error: null,
      usage_bytes: 0,
    });
    expect((await client.vectorStores.retrieve(store.id)).status).toBe('in_progress');
    emu.emulator.setAttachDelayMs(30);
    emu.emulator.settleAttachments();
    for (const file of [exe, empty, binary])
      await client.vectorStores.files.create(store.id, { file_id: file.id });

    await eventually(
      async () => (await client.vectorStores.retrieve(store.id)).file_counts.in_progress === 0,
    );
    const done = await client.vectorStores.files.retrieve(good.id, { vector_store_id: store.id });
    expect(done).toMatchObject({
      status: 'completed',
      usage_bytes: good.bytes,
      attributes: { kind: 'guide' },
    });
    for (const file of [exe, empty, binary]) {
      const failed = await client.vectorStores.files.retrieve(file.id, { vector_store_id: store.id });
      expect(failed.status).toBe('failed');
      expect(failed.last_error?.code).toBe('unsupported_file');
      expect(failed.usage_bytes).toBe(0);
    }
    const final = await client.vectorStores.retrieve(store.id);
    expect(final).toMatchObject({ status: 'completed', usage_bytes: good.bytes });
    expect(final.file_counts).toEqual({ in_progress: 0, completed: 1, failed: 3, cancelled: 0, total: 4 });
    await expectConsistent(client, store.id);

    const content = [];
    for await (const part of client.vectorStores.files.content(good.id, { vector_store_id: store.id }))
      content.push(part);
    expect(content).toEqual([{ type: 'text', text: '# Guide\n\nHow to onboard.' }]);
  });

  it('polls to completion with the SDK helper', async () => {
    const client = emu.client(newKey());
    const store = await client.vectorStores.create({});
    const file = await upload(client, 'a.txt', 'alpha');
    const done = await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id });
    expect(done.status).toBe('completed');
  });

  it('updates attributes within their limits and detaches keeping the File', async () => {
    const client = emu.client(newKey());
    const file = await upload(client, 'a.txt', 'alpha');
    const store = await client.vectorStores.create({ file_ids: [file.id] });
    const sixteen = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [`k${i}`, i % 2 === 0 ? i : 'v'.repeat(512)]),
    );
    const updated = await client.vectorStores.files.update(file.id, {
      vector_store_id: store.id,
      attributes: sixteen,
    });
    expect(updated.attributes).toEqual(sixteen);
    const seventeen = { ...sixteen, k16: true };
    expect(
      await badRequestParam(
        client.vectorStores.files.update(file.id, { vector_store_id: store.id, attributes: seventeen }),
      ),
    ).toBe('attributes');
    expect(
      await badRequestParam(
        client.vectorStores.files.update(file.id, {
          vector_store_id: store.id,
          attributes: { s: 'v'.repeat(513) },
        }),
      ),
    ).toBe('attributes.s');
    expect(
      await badRequestParam(client.vectorStores.files.list(store.id, { filter: 'done' as 'completed' })),
    ).toBe('filter');
    expect(
      await badRequestParam(client.vectorStores.files.create(store.id, { file_id: 5 as unknown as string })),
    ).toBe('file_id');
    await expect(client.vectorStores.files.create(store.id, { file_id: 'file-nope' })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );

    await client.vectorStores.files.delete(file.id, { vector_store_id: store.id });
    expect((await client.files.retrieve(file.id)).id).toBe(file.id);
    expect((await client.vectorStores.retrieve(store.id)).file_counts.total).toBe(0);
  });

  it('creates batches from file_ids or files, within 1..2000, lists and cancels them', async () => {
    const apiKey = newKey();
    const client = emu.client(apiKey);
    await emu.control('POST', 'seed', { apiKey, orphanFiles: 2001 });
    const ids = (await client.files.list({ limit: 2001 })).data.map((f) => f.id);
    const store = await client.vectorStores.create({ name: 'batches' });

    // Slow attachment, so the batch is still running when it is cancelled, however loaded the machine.
    emu.emulator.setAttachDelayMs(60_000);
    const big = await client.vectorStores.fileBatches.create(store.id, {
      file_ids: ids.slice(0, 2000),
      attributes: { src: 'bulk' },
    });
    expect(big).toMatchObject({
      object: 'vector_store.file_batch',
      status: 'in_progress',
      vector_store_id: store.id,
    });
    expect(big.id).toMatch(/^vsfb_/);
    expect(big.file_counts).toEqual({
      in_progress: 2000,
      completed: 0,
      failed: 0,
      cancelled: 0,
      total: 2000,
    });
    expect(await badRequestParam(client.vectorStores.fileBatches.create(store.id, { file_ids: ids }))).toBe(
      'file_ids',
    );
    expect(await badRequestParam(client.vectorStores.fileBatches.create(store.id, { file_ids: [] }))).toBe(
      'file_ids',
    );
    expect(
      await badRequestParam(
        client.vectorStores.fileBatches.create(store.id, {
          file_ids: [ids[0]!],
          files: [{ file_id: ids[1]! }],
        }),
      ),
    ).toBe('files');
    expect(await badRequestParam(client.vectorStores.fileBatches.create(store.id, {}))).toBe('file_ids');

    const cancelled = await client.vectorStores.fileBatches.cancel(big.id, { vector_store_id: store.id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.file_counts.cancelled + cancelled.file_counts.completed).toBe(2000);
    const page = await client.vectorStores.fileBatches.listFiles(big.id, {
      vector_store_id: store.id,
      filter: 'cancelled',
      limit: 100,
    });
    expect(page.data.every((f) => f.status === 'cancelled' && f.attributes?.src === 'bulk')).toBe(true);

    emu.emulator.setAttachDelayMs(30);
    const perFile = await client.vectorStores.fileBatches.createAndPoll(store.id, {
      files: [
        { file_id: ids[2000]!, attributes: { n: 1 } },
        { file_id: ids[0]!, attributes: { n: 2 } },
      ],
    });
    expect(perFile).toMatchObject({ status: 'completed', file_counts: { completed: 2, total: 2 } });
    const listed = await client.vectorStores.fileBatches.listFiles(perFile.id, {
      vector_store_id: store.id,
      order: 'asc',
    });
    expect(listed.data.map((f) => [f.id, f.attributes])).toEqual([
      [ids[2000], { n: 1 }],
      [ids[0], { n: 2 }],
    ]);
    expect(
      (await client.vectorStores.fileBatches.retrieve(perFile.id, { vector_store_id: store.id })).id,
    ).toBe(perFile.id);
    await expectConsistent(client, store.id);
  });

  it('keeps file_counts and usage_bytes consistent through any sequence of operations', async () => {
    // Files settle on the next request: no attachment completes between the reads of one check.
    emu.emulator.setAttachDelayMs(0);
    const client = emu.client(newKey());
    const files = await Promise.all(
      ['a.txt', 'b.md', 'c.exe', 'd.json', 'e.txt'].map((name, i) => upload(client, name, `content ${i}`)),
    );
    const store = await client.vectorStores.create({});
    const operation = fc.oneof(
      fc.record({ op: fc.constant('attach' as const), file: fc.nat(files.length - 1) }),
      fc.record({ op: fc.constant('detach' as const), file: fc.nat(files.length - 1) }),
      fc.record({ op: fc.constant('batch' as const), file: fc.nat(files.length - 1) }),
      fc.record({ op: fc.constant('wait' as const), file: fc.constant(0) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 6 }), async (operations) => {
        for (const { op, file } of operations) {
          const id = files[file]!.id;
          if (op === 'attach') await client.vectorStores.files.create(store.id, { file_id: id });
          if (op === 'batch') await client.vectorStores.fileBatches.create(store.id, { file_ids: [id] });
          if (op === 'detach')
            await client.vectorStores.files.delete(id, { vector_store_id: store.id }).catch(() => undefined);
          if (op === 'wait') await new Promise((resolve) => setTimeout(resolve, 35));
        }
        await expectConsistent(client, store.id);
      }),
      { numRuns: 15 },
    );
    emu.emulator.setAttachDelayMs(30);
  });
});
