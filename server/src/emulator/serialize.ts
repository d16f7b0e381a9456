import type { Page } from './ordered-collection.ts';
import {
  batchStatus,
  storeExpiresAt,
  storeStatus,
  type BatchRecord,
  type FileRecord,
  type StoreRecord,
  type VsFileRecord,
} from './state.ts';

/** API objects exactly as openapi.yaml describes them (`VectorStoreObject`, `OpenAIFile`, ...). */

export function vectorStoreObject(store: StoreRecord): Record<string, unknown> {
  return {
    id: store.id,
    object: 'vector_store',
    created_at: store.createdAt,
    name: store.name,
    // Not in VectorStoreObject, but accepted on create and returned by OpenAI's examples.
    description: store.description,
    usage_bytes: store.usageBytes,
    file_counts: store.files.counts(),
    status: storeStatus(store),
    ...(store.expiresAfter === null ? {} : { expires_after: store.expiresAfter }),
    expires_at: storeExpiresAt(store),
    last_active_at: store.lastActiveAt,
    metadata: store.metadata,
  };
}

export function vectorStoreFileObject(attached: VsFileRecord): Record<string, unknown> {
  return {
    id: attached.id,
    object: 'vector_store.file',
    usage_bytes: attached.usageBytes,
    created_at: attached.createdAt,
    vector_store_id: attached.store.id,
    status: attached.status,
    last_error: attached.lastError,
    // `auto` reads back as the static strategy it stands for (the response has no `auto` variant).
    chunking_strategy: { type: 'static', static: attached.chunking },
    attributes: attached.attributes,
  };
}

export function fileBatchObject(batch: BatchRecord): Record<string, unknown> {
  return {
    id: batch.id,
    // The spec's enum value (its prose says `vector_store.file_batch`).
    object: 'vector_store.files_batch',
    created_at: batch.createdAt,
    vector_store_id: batch.store.id,
    status: batchStatus(batch),
    file_counts: batch.files.counts(),
  };
}

export function fileJson(file: FileRecord): string {
  file.json ??= JSON.stringify({
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: file.createdAt,
    ...(file.expiresAt === null ? {} : { expires_at: file.expiresAt }),
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
  });
  return file.json;
}

/**
 * The list envelope, written as a string so that pre-serialized objects (Files) are joined, not
 * re-encoded. An empty page has `first_id`/`last_id` null, as OpenAI answers (the spec types them as
 * strings but says nothing of empty pages).
 */
export function listJson<T extends { id: string }>(page: Page<T>, toJson: (item: T) => string): string {
  const first = page.data[0];
  const last = page.data[page.data.length - 1];
  return (
    `{"object":"list","data":[${page.data.map(toJson).join(',')}],` +
    `"first_id":${JSON.stringify(first?.id ?? null)},"last_id":${JSON.stringify(last?.id ?? null)},` +
    `"has_more":${page.hasMore}}`
  );
}
