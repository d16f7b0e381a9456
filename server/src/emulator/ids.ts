import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Random bytes are drawn in blocks: seeding 100,000 Files would otherwise make 100,000 syscalls.
let pool = randomBytes(0);
let poolOffset = 0;

function randomChars(length: number): string {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(64 * 1024);
    poolOffset = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[pool[poolOffset + i]! % ALPHABET.length];
  poolOffset += length;
  return out;
}

/** Ids in OpenAI's shapes: `vs_` + 24, `file-` + 22, `vsfb_` + 32 alphanumerics. */
export const newVectorStoreId = (): string => `vs_${randomChars(24)}`;
export const newFileId = (): string => `file-${randomChars(22)}`;
export const newFileBatchId = (): string => `vsfb_${randomChars(32)}`;
export const newRequestId = (): string => `req_${randomChars(32)}`;
