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

async function badRequestParam(call: Promise<unknown>): Promise<string | null | undefined> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  return (error as InstanceType<typeof OpenAI.BadRequestError>).param;
}

describe('files', () => {
  it('uploads multipart with bracketed expires_after fields, and serves retrieve and content', async () => {
    const client = emu.client(newKey());
    const file = await client.files.create({
      file: await toFile(Buffer.from('hello world'), 'notes.md'),
      purpose: 'assistants',
      expires_after: { anchor: 'created_at', seconds: 3600 },
    });
    expect(file).toMatchObject({
      object: 'file',
      bytes: 11,
      filename: 'notes.md',
      purpose: 'assistants',
      status: 'processed',
    });
    expect(file.id).toMatch(/^file-[A-Za-z0-9]{22}$/);
    expect(file.expires_at).toBe(file.created_at + 3600);
    expect(await client.files.retrieve(file.id)).toEqual(file);
    const content = await client.files.content(file.id);
    expect(await content.text()).toBe('hello world');

    const batchInput = await client.files.create({
      file: await toFile(Buffer.from('{}'), 'in.jsonl'),
      purpose: 'batch',
    });
    expect(batchInput.expires_at).toBe(batchInput.created_at + 30 * 86_400);
  });

  it('checks upload fields at their limits', async () => {
    const client = emu.client(newKey());
    const upload = async (seconds: number) =>
      client.files.create({
        file: await toFile(Buffer.from('x'), 'x.txt'),
        purpose: 'assistants',
        expires_after: { anchor: 'created_at', seconds },
      });
    await expect(upload(3600)).resolves.toBeDefined();
    await expect(upload(2_592_000)).resolves.toBeDefined();
    expect(await badRequestParam(upload(3599))).toBe('expires_after.seconds');
    expect(await badRequestParam(upload(2_592_001))).toBe('expires_after.seconds');
    const wrongPurpose = client.files.create({
      file: await toFile(Buffer.from('x'), 'x.txt'),
      purpose: 'memes' as 'batch',
    });
    expect(await badRequestParam(wrongPurpose)).toBe('purpose');
  });

  it('refuses a multipart body without a file (raw request the SDK cannot make)', async () => {
    const form = new FormData();
    form.set('purpose', 'assistants');
    form.set('expires_after[anchor]', 'created_at');
    form.set('expires_after[seconds]', 'soon');
    const response = await fetch(`${emu.url}/files`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-raw' },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe(
      'expires_after.seconds',
    );
  });

  it('lists with purpose, limit up to 10,000 and after, in both orders', async () => {
    const apiKey = newKey();
    const client = emu.client(apiKey);
    await emu.control('POST', 'seed', { apiKey, orphanFiles: 10_001 });
    const vision = await client.files.create({
      file: await toFile(Buffer.from('img'), 'a.png'),
      purpose: 'vision',
    });

    const biggest = await client.files.list({ limit: 10_000 });
    expect(biggest.data).toHaveLength(10_000);
    expect(biggest.has_more).toBe(true);
    expect(biggest.data[0]!.id).toBe(vision.id);
    const rest = await client.files.list({ limit: 10_000, after: biggest.data[9_999]!.id });
    expect(rest.data).toHaveLength(2);
    expect(rest.has_more).toBe(false);
    expect((await client.files.list()).data).toHaveLength(10_000);
    expect(await badRequestParam(client.files.list({ limit: 10_001 }))).toBe('limit');
    expect(await badRequestParam(client.files.list({ limit: 0 }))).toBe('limit');

    const onlyVision = await client.files.list({ purpose: 'vision' });
    expect(onlyVision.data.map((f) => f.id)).toEqual([vision.id]);
    expect((await client.files.list({ purpose: 'fine-tune' })).data).toEqual([]);

    const asc: string[] = [];
    for await (const file of client.files.list({ limit: 3_000, order: 'asc' })) asc.push(file.id);
    const desc: string[] = [];
    for await (const file of client.files.list({ limit: 2_500, order: 'desc' })) desc.push(file.id);
    expect(asc).toHaveLength(10_002);
    expect(new Set(asc).size).toBe(10_002);
    expect(desc).toEqual([...asc].reverse());
  });

  it('deletes a File and removes it from every store; detaching keeps the File', async () => {
    const client = emu.client(newKey());
    const file = await client.files.create({
      file: await toFile(Buffer.from('shared text'), 'shared.txt'),
      purpose: 'assistants',
    });
    const kept = await client.files.create({
      file: await toFile(Buffer.from('kept text'), 'kept.txt'),
      purpose: 'assistants',
    });
    const one = await client.vectorStores.create({ file_ids: [file.id, kept.id] });
    const two = await client.vectorStores.create({ file_ids: [file.id] });

    expect(await client.vectorStores.files.delete(kept.id, { vector_store_id: one.id })).toEqual({
      id: kept.id,
      object: 'vector_store.file.deleted',
      deleted: true,
    });
    expect((await client.files.retrieve(kept.id)).id).toBe(kept.id);

    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    await expect(client.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    for (const store of [one, two]) {
      expect((await client.vectorStores.files.list(store.id)).data).toEqual([]);
      const after = await client.vectorStores.retrieve(store.id);
      expect(after.file_counts.total).toBe(0);
      expect(after.usage_bytes).toBe(0);
    }
    await expect(
      client.vectorStores.files.retrieve(file.id, { vector_store_id: two.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
