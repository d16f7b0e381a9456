import { randomBytes } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

// Random bytes are drawn in blocks: seeding 100,000 Files would otherwise make 100,000 syscalls.
let pool = randomBytes(0);
let poolOffset = 0;

function randomChars(alphabet: string, length: number): string {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(64 * 1024);
    poolOffset = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[pool[poolOffset + i]! % alphabet.length];
  poolOffset += length;
  return out;
}

/**
 * Ids in the shapes OpenAI uses today (recorded traffic): `vs_` + 32 lowercase hex, `file-` + 22
 * base62, `vsfb_` + 32 hex (newer batches: `vsfb_ibj_` + 32 hex, which clients must accept too).
 */
export const newVectorStoreId = (): string => `vs_${randomChars(HEX, 32)}`;
export const newFileId = (): string => `file-${randomChars(BASE62, 22)}`;
export const newFileBatchId = (): string => `vsfb_${randomChars(HEX, 32)}`;
export const newRequestId = (): string => `req_${randomChars(HEX, 32)}`;

/** OpenAI's check of a `vector_store_id` path parameter: anything else is a 400, not a 404. */
export const WELL_FORMED_ID = /^[A-Za-z0-9_-]+$/;
export const BATCH_ID_PREFIX = 'vsfb_';
