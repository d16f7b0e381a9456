import { ApiError, badRequest } from '../errors.ts';
import { pageOf } from '../pagination.ts';
import { fileJson, listBytes } from '../serialize.ts';
import { OrderedCollection } from '../ordered-collection.ts';
import type { FileRecord } from '../state.ts';
import {
  expectObject,
  integerInRange,
  invalidType,
  oneOf,
  parseListQuery,
  rejectUnknownKeys,
  requireKey,
} from '../validation.ts';
import type { Reply, RequestContext } from './context.ts';

/** In the order OpenAI's refusal lists them. */
const UPLOAD_PURPOSES = ['fine-tune', 'assistants', 'batch', 'user_data', 'vision', 'evals'] as const;

/** `'x' is not one of ['fine-tune', ...] - 'purpose'`, code null, with a `detail` (recorded answer). */
function uploadPurpose(value: unknown): string {
  if (typeof value === 'string' && (UPLOAD_PURPOSES as readonly string[]).includes(value)) return value;
  const allowed = UPLOAD_PURPOSES.map((purpose) => `'${purpose}'`).join(', ');
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  throw new ApiError(
    400,
    `${shown} is not one of [${allowed}] - 'purpose'`,
    'purpose',
    null,
    undefined,
    true,
  );
}
const NO_FILES = new OrderedCollection<FileRecord>();

/** multipart/form-data: `file`, `purpose`, and `expires_after[anchor]` / `expires_after[seconds]`. */
export function uploadFile({ account, body, upload }: RequestContext): Reply {
  rejectUnknownKeys(body, ['purpose', 'expires_after']);
  const purpose = uploadPurpose(requireKey(body, 'purpose'));
  let expiresAfterSeconds: number | undefined;
  if (body.expires_after !== undefined) {
    const policy = expectObject(body.expires_after, 'expires_after');
    rejectUnknownKeys(policy, ['anchor', 'seconds'], 'expires_after.');
    oneOf(requireKey(policy, 'anchor', 'expires_after.anchor'), 'expires_after.anchor', [
      'created_at',
    ] as const);
    const seconds = requireKey(policy, 'seconds', 'expires_after.seconds');
    // Form fields are strings: accept the integer they spell.
    if (typeof seconds !== 'string' || !/^-?\d+$/.test(seconds)) {
      throw invalidType('expires_after.seconds', 'an integer', seconds);
    }
    expiresAfterSeconds = integerInRange(Number(seconds), 'expires_after.seconds', 3600, 2_592_000);
  }
  if (upload === undefined)
    throw badRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
  const file = account.createFile({
    filename: upload.filename,
    purpose,
    content: upload.content,
    expiresAfterSeconds,
  });
  return { rawJson: fileJson(file) };
}

export function listFiles({ account, query }: RequestContext): Reply {
  const list = parseListQuery(query, { max: 10_000, default: 10_000, before: false });
  const purpose = query.get('purpose');
  const collection = purpose === null ? account.files : (account.filesWithPurposeIfAny(purpose) ?? NO_FILES);
  return { rawJson: listBytes(pageOf(collection, account.files, list), fileJson) };
}

export function retrieveFile({ account, params }: RequestContext): Reply {
  return { rawJson: fileJson(account.getFile(params.file_id!)) };
}

/** "Delete a file and remove it from all vector stores." */
export function deleteFile({ account, params, faults }: RequestContext): Reply {
  const file = account.deleteFile(params.file_id!, { staleStoreCounts: faults.staleFileCounts === true });
  return { json: { id: file.id, object: 'file', deleted: true } };
}

export function fileContent({ account, params }: RequestContext): Reply {
  return { bytes: account.getFile(params.file_id!).content, contentType: 'application/octet-stream' };
}
