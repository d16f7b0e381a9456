import { randomBytes } from 'node:crypto';

/** A file part already streamed to a temporary file by the multipart parser. */
export interface StagedUpload {
  filename: string;
  mimeType: string;
  /** The temporary file; the resolver moves it into storage or deletes it. */
  tempPath: string | null;
  bytes: number;
  sha256: string;
  /** The part exceeded the upload limit: nothing was kept, and the resolver must refuse it. */
  tooLarge: boolean;
}

/**
 * Staged uploads are reachable only through an unguessable token that the multipart parser puts in
 * the request's variables, so a JSON request cannot name a file on the server.
 */
const staged = new Map<string, StagedUpload>();

export function stageUpload(upload: StagedUpload): string {
  const token = `upload_${randomBytes(24).toString('base64url')}`;
  staged.set(token, upload);
  return token;
}

/** Hands an upload to the resolver once; later lookups of the same token find nothing. */
export function takeStagedUpload(token: string): StagedUpload | null {
  const upload = staged.get(token) ?? null;
  staged.delete(token);
  return upload;
}

export function discardStagedUpload(token: string): StagedUpload | null {
  return takeStagedUpload(token);
}
