import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  parseElement,
  parseOne,
  remoteFileSchema,
  remoteVectorStoreFileSchema,
  remoteVectorStoreSchema,
  splitRejected,
  UnreadableObjectError,
} from '../../src/openai/remote-objects.ts';

/** A list's elements, each parsed on its own, as the sync reads a page. */
const parseEach = <T>(schema: z.ZodType<T>, values: readonly unknown[]) =>
  splitRejected(values.map((value) => parseElement(schema, value)));

/** Real answers, as recorded (openai-dotnet's tests against api.openai.com). */
const unnamedStore = {
  id: 'vs_68c9e7afcb788191bb78a14c675ed352',
  object: 'vector_store',
  created_at: 1758062511,
  name: null,
  description: null,
  usage_bytes: 1151,
  file_counts: { in_progress: 0, completed: 1, failed: 0, cancelled: 0, total: 1 },
  status: 'completed',
  expires_after: null,
  expires_at: null,
  last_active_at: 1758062511,
  metadata: {},
};
const batchListedFile = {
  id: 'file-8k2pNfNZjZx8mdYcK8WiXt',
  object: 'vector_store.file',
  created_at: 1758064115,
  vector_store_id: 'vs_68c9edecaa10819185ff548a8bae87b2',
  status: 'completed',
  last_error: null,
};
const file = {
  object: 'file',
  id: 'file-S44aCkVktmFaKmbgGrdgLt',
  purpose: 'assistants',
  filename: 'test-file-delete-me.txt',
  bytes: 50,
  created_at: 1780006003,
  expires_at: null,
  status: 'processed',
  status_details: null,
};

describe('the OpenAI boundary', () => {
  it('reads a store without a name, a batch-listed file without usage, and a File with null fields', () => {
    expect(parseOne(remoteVectorStoreSchema, 'vector store', unnamedStore)).toMatchObject({
      name: null,
      metadata: {},
      expires_after: null,
    });
    const listed = parseOne(remoteVectorStoreFileSchema, 'vector store file', batchListedFile);
    expect(listed).not.toHaveProperty('usage_bytes');
    expect(listed).not.toHaveProperty('attributes');
    expect(parseOne(remoteFileSchema, 'File', file)).toMatchObject({
      expires_at: null,
      status_details: null,
    });
  });

  it('ignores unknown fields, and takes a null metadata as none', () => {
    const parsed = parseOne(remoteVectorStoreSchema, 'vector store', {
      ...unnamedStore,
      metadata: null,
      added_next_year: { x: 1 },
    });
    expect(parsed).not.toHaveProperty('added_next_year');
    expect(parsed.metadata).toBeNull();
  });

  it('reports each object it cannot read on its own, with its id when it has one, and keeps the others', () => {
    const { items, rejected } = parseEach(remoteVectorStoreSchema, [
      unnamedStore,
      { ...unnamedStore, id: 'vs_bad', status: 'ready' },
      { ...unnamedStore, id: undefined },
      'not an object',
    ]);
    expect(items).toHaveLength(1);
    expect(rejected).toEqual([
      { id: 'vs_bad', reason: expect.stringContaining('status') },
      { id: null, reason: expect.stringContaining('id') },
      { id: null, reason: expect.stringContaining('object') },
    ]);
    // A time past what a timestamp holds is that File's fault alone, not its page's (a failed write).
    const far = parseEach(remoteFileSchema, [file, { ...file, id: 'file-far', created_at: 1e15 }]);
    expect(far.items.map((f) => f.id)).toEqual([file.id]);
    expect(far.rejected).toEqual([{ id: 'file-far', reason: expect.stringContaining('created_at') }]);
    expect(() => parseOne(remoteFileSchema, 'File', { ...file, bytes: '50' })).toThrow(UnreadableObjectError);
    expect(() => parseOne(remoteFileSchema, 'File', { ...file, bytes: '50' })).toThrow(
      `OpenAI sent a File (${file.id}) that cannot be read: bytes:`,
    );
  });
});

const recording = new URL('../../../../shared/openai/recorded/openai-dotnet.json', import.meta.url);

describe.skipIf(!existsSync(recording))('every object of the recorded traffic', () => {
  it('is read by the boundary', () => {
    const { scenarios } = JSON.parse(readFileSync(recording, 'utf8')) as {
      scenarios: Array<{ exchanges: Array<{ body?: unknown }> }>;
    };
    const byKind: Record<string, unknown[]> = { vector_store: [], 'vector_store.file': [], file: [] };
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (typeof node === 'object' && node !== null) {
        const kind = (node as { object?: unknown }).object;
        if (typeof kind === 'string' && kind in byKind && !('deleted' in node)) byKind[kind]!.push(node);
        Object.values(node).forEach(visit);
      }
    };
    for (const scenario of scenarios) for (const exchange of scenario.exchanges) visit(exchange.body);

    expect(byKind.vector_store!.length).toBeGreaterThan(10);
    expect(parseEach(remoteVectorStoreSchema, byKind.vector_store!).rejected).toEqual([]);
    expect(byKind['vector_store.file']!.length).toBeGreaterThan(10);
    expect(parseEach(remoteVectorStoreFileSchema, byKind['vector_store.file']!).rejected).toEqual([]);
    expect(byKind.file!.length).toBeGreaterThan(10);
    expect(parseEach(remoteFileSchema, byKind.file!).rejected).toEqual([]);
  });
});
