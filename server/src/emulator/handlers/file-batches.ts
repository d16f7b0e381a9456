import { badRequest } from '../errors.ts';
import { fileBatchObject } from '../serialize.ts';
import type { FileRecord } from '../state.ts';
import {
  arrayOfLength,
  expectObject,
  optionalString,
  parseAttributes,
  parseChunking,
  rejectUnknownKeys,
  requireKey,
  stringArray,
} from '../validation.ts';
import type { Reply, RequestContext } from './context.ts';
import { listStatusIndex, pollHint } from './vector-store-files.ts';

const MAX_BATCH = 2000;

/** `file_ids` (with batch-wide attributes and chunking) or `files` (each with its own): one of the two. */
export function createFileBatch({ account, params, body }: RequestContext, attachDelayMs: number): Reply {
  const store = account.getStore(params.vector_store_id!);
  rejectUnknownKeys(body, ['file_ids', 'files', 'chunking_strategy', 'attributes']);
  if (body.file_ids !== undefined && body.files !== undefined) {
    throw badRequest("'file_ids' and 'files' are mutually exclusive: send one of them.", 'files');
  }
  const lookUp = (id: string, param: string): FileRecord => {
    const file = account.files.get(id);
    if (file === undefined) throw badRequest(`No file found with id '${id}'.`, param);
    return file;
  };
  let entries;
  if (body.files !== undefined) {
    entries = arrayOfLength(body.files, 'files', 1, MAX_BATCH).map((item, i) => {
      const param = `files[${i}]`;
      const entry = expectObject(item, param);
      rejectUnknownKeys(entry, ['file_id', 'attributes', 'chunking_strategy'], `${param}.`);
      const fileId = optionalString(requireKey(entry, 'file_id', `${param}.file_id`), `${param}.file_id`)!;
      return {
        file: lookUp(fileId, `${param}.file_id`),
        attributes: parseAttributes(entry.attributes, `${param}.attributes`),
        chunking: parseChunking(entry.chunking_strategy, `${param}.chunking_strategy`),
      };
    });
  } else {
    const fileIds = stringArray(requireKey(body, 'file_ids'), 'file_ids', 1, MAX_BATCH);
    const attributes = parseAttributes(body.attributes);
    const chunking = parseChunking(body.chunking_strategy);
    entries = fileIds.map((id, i) => ({ file: lookUp(id, `file_ids[${i}]`), attributes, chunking }));
  }
  account.assertUsable(store);
  account.touch(store);
  const batch = account.createBatch(store, entries);
  return { json: fileBatchObject(batch), headers: pollHint(attachDelayMs) };
}

export function retrieveFileBatch({ account, params }: RequestContext, attachDelayMs: number): Reply {
  const store = account.getStore(params.vector_store_id!);
  return {
    json: fileBatchObject(account.getBatch(store, params.batch_id!)),
    headers: pollHint(attachDelayMs),
  };
}

export function cancelFileBatch({ account, params }: RequestContext): Reply {
  const store = account.getStore(params.vector_store_id!);
  const batch = account.getBatch(store, params.batch_id!);
  account.cancelBatch(batch);
  return { json: fileBatchObject(batch) };
}

export function listFileBatchFiles({ account, params, query }: RequestContext): Reply {
  const store = account.getStore(params.vector_store_id!);
  return listStatusIndex(account.getBatch(store, params.batch_id!).files, query);
}
