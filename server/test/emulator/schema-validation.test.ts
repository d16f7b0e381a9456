import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { schemaErrors } from './helpers.ts';

const vectorStore = {
  id: 'vs_123',
  object: 'vector_store',
  created_at: 1698107661,
  name: 'Support KB',
  usage_bytes: 123456,
  file_counts: { in_progress: 0, completed: 100, failed: 0, cancelled: 0, total: 100 },
  status: 'completed',
  last_active_at: 1698107661,
  metadata: null,
};

describe('the response validator', () => {
  it('records the openapi.yaml commit the schemas come from', () => {
    const json = JSON.parse(readFileSync(new URL('./openapi-schemas.json', import.meta.url), 'utf8')) as {
      source: { commit: string };
    };
    expect(json.source.commit).toBe('f85dbe223d40e1a31cba812ab2d755c7e98a92a3');
  });

  it('accepts a body that follows the spec', () => {
    expect(schemaErrors('VectorStoreObject', vectorStore)).toBeNull();
    expect(
      schemaErrors('ErrorResponse', { error: { message: 'x', type: 't', param: null, code: null } }),
    ).toBeNull();
  });

  it.each([
    ['VectorStoreObject', { ...vectorStore, file_counts: undefined }],
    ['VectorStoreObject', { ...vectorStore, object: 'vectorstore' }],
    ['VectorStoreObject', { ...vectorStore, status: 'ready' }],
    ['VectorStoreObject', { ...vectorStore, metadata: { n: 1 } }],
    [
      'ListFilesResponse',
      {
        object: 'list',
        data: [{ id: 'file-1', object: 'file' }],
        first_id: 'a',
        last_id: 'b',
        has_more: false,
      },
    ],
    ['ListVectorStoresResponse', { object: 'list', data: [], first_id: null, last_id: null }],
    ['ErrorResponse', { error: { message: 'x', type: 't', code: null } }],
    ['DeleteFileResponse', { id: 'file-1', object: 'file.deleted', deleted: true }],
    [
      'VectorStoreFileObject',
      {
        id: 'file-1',
        object: 'vector_store.file',
        usage_bytes: 1,
        created_at: 1,
        vector_store_id: 'vs_1',
        status: 'done',
        last_error: null,
      },
    ],
  ])('rejects a wrong %s', (name, body) => {
    expect(schemaErrors(name, body)).not.toBeNull();
  });
});
