import { textOf } from '../content.ts';
import { pageOf } from '../pagination.ts';
import { listJson, vectorStoreFileObject } from '../serialize.ts';
import { VS_FILE_STATUSES, type StatusIndex } from '../state.ts';
import {
  oneOf,
  optionalString,
  parseAttributes,
  parseChunking,
  parseListQuery,
  rejectUnknownKeys,
  requireKey,
} from '../validation.ts';
import type { Reply, RequestContext } from './context.ts';

/** Lets the SDK's poll helpers (`createAndPoll`) ask again when the attachment should be done. */
export const pollHint = (delayMs: number): Record<string, string> => ({
  'openai-poll-after-ms': String(Math.max(1, delayMs)),
});

export function attachFile({ account, params, body }: RequestContext, attachDelayMs: number): Reply {
  const store = account.getStore(params.vector_store_id!);
  rejectUnknownKeys(body, ['file_id', 'chunking_strategy', 'attributes']);
  const fileId = optionalString(requireKey(body, 'file_id'), 'file_id')!;
  const chunking = parseChunking(body.chunking_strategy);
  const attributes = parseAttributes(body.attributes);
  const file = account.getFile(fileId, 'file_id');
  account.assertUsable(store);
  account.touch(store);
  const attached = account.attach(store, file, { chunking, attributes });
  return { json: vectorStoreFileObject(attached), headers: pollHint(attachDelayMs) };
}

/** A page of a store's (or batch's) files, optionally only those with one status (`filter`). */
export function listStatusIndex(files: StatusIndex, query: URLSearchParams): Reply {
  const list = parseListQuery(query, { max: 100, default: 20, before: true });
  const rawFilter = query.get('filter');
  const status = rawFilter === null ? undefined : oneOf(rawFilter, 'filter', VS_FILE_STATUSES);
  const collection = status === undefined ? files.all : files.withStatus(status);
  const page = pageOf(collection, files.all, list);
  return { rawJson: listJson(page, (attached) => JSON.stringify(vectorStoreFileObject(attached))) };
}

export function listFiles({ account, params, query }: RequestContext): Reply {
  return listStatusIndex(account.getStore(params.vector_store_id!).files, query);
}

export function retrieveFile({ account, params }: RequestContext, attachDelayMs: number): Reply {
  const store = account.getStore(params.vector_store_id!);
  const attached = account.getAttached(store, params.file_id!);
  return { json: vectorStoreFileObject(attached), headers: pollHint(attachDelayMs) };
}

/** Replaces the attributes (the spec does not say merge; the SDK sends the whole map). */
export function updateFileAttributes({ account, params, body }: RequestContext): Reply {
  const store = account.getStore(params.vector_store_id!);
  const attached = account.getAttached(store, params.file_id!);
  rejectUnknownKeys(body, ['attributes']);
  const attributes = parseAttributes(requireKey(body, 'attributes'));
  attached.attributes = attributes ?? {};
  account.touch(store);
  return { json: vectorStoreFileObject(attached) };
}

/** Detaches; the File itself stays. */
export function detachFile({ account, params }: RequestContext): Reply {
  const store = account.getStore(params.vector_store_id!);
  const attached = account.getAttached(store, params.file_id!);
  account.detach(attached);
  account.touch(store);
  return { json: { id: attached.id, object: 'vector_store.file.deleted', deleted: true } };
}

/** The parsed text of an indexed file; nothing until indexing has completed. */
export function fileContent({ account, params }: RequestContext): Reply {
  const store = account.getStore(params.vector_store_id!);
  const attached = account.getAttached(store, params.file_id!);
  const data = attached.status === 'completed' ? [{ type: 'text', text: textOf(attached.file.content) }] : [];
  return { json: { object: 'vector_store.file_content.page', data, has_more: false, next_page: null } };
}
