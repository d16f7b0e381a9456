import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { principalOf } from '../http/authentication.plugin.ts';
import type { Principal } from '../services/account.service.ts';
import { discardStagedUpload, stageUpload, type StagedUpload } from './staged-upload.ts';
import { UploadSession } from './upload-session.ts';
import type { UploadSlots } from './upload-slots.ts';

export interface StreamedUploadOptions {
  tempDir: string;
  maxFileBytes: number;
  /** Concurrent uploads per token; past it the request is refused with 429 before any byte is written. */
  slots: UploadSlots;
  /**
   * Told when an authenticated request is refused here, before any resolver runs (a viewer, too many
   * uploads, a malformed body): the audit log records it, since the mutation's resolver never will.
   */
  onRefused?: (principal: Principal, error: unknown) => Promise<void>;
}

const refusal = (message: string, code: string, status: number) =>
  new GraphQLError(message, { extensions: { code, http: { status } } });
const badRequest = (message: string) => refusal(message, 'BAD_REQUEST', 400);

/** Per request: its temporary files, its staged tokens and the upload slot it holds. */
interface RequestUploads {
  session: UploadSession;
  staged: string[];
  tokenId: string;
}
const uploadsByRequest = new WeakMap<Request, RequestUploads>();

/** Streams one file part to a new temp file, hashing it on the way; past the limit it keeps nothing. */
async function streamPart(
  file: Readable,
  info: busboy.FileInfo,
  session: UploadSession,
): Promise<StagedUpload> {
  const { tempPath, handle } = await session.createTempFile();
  const hash = createHash('sha256');
  let bytes = 0;
  let tooLarge = false;
  file.on('limit', () => {
    tooLarge = true;
  });
  file.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  await pipeline(file, handle.createWriteStream());
  if (tooLarge) await rm(tempPath, { force: true });
  return {
    filename: path.basename(info.filename || 'upload'),
    mimeType: info.mimeType,
    tempPath: tooLarge ? null : tempPath,
    bytes,
    sha256: hash.digest('hex'),
    tooLarge,
  };
}

function parseOperations(value: string): GraphQLParams {
  let operations: unknown;
  try {
    operations = JSON.parse(value);
  } catch {
    throw badRequest('The "operations" part must be JSON');
  }
  if (typeof operations !== 'object' || operations === null || Array.isArray(operations)) {
    throw badRequest('The "operations" part must be a JSON object');
  }
  return operations as GraphQLParams;
}

function parseMap(value: string): Map<string, string[]> {
  let map: unknown;
  try {
    map = JSON.parse(value);
  } catch {
    throw badRequest('The "map" part must be JSON');
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw badRequest('The "map" part must be a JSON object');
  }
  const entries = Object.entries(map);
  for (const [key, paths] of entries) {
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
      throw badRequest(`The map entry "${key}" must be a list of variable paths`);
    }
  }
  return new Map(entries as Array<[string, string[]]>);
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (typeof next !== 'object' || next === null)
      throw badRequest(`The map names a missing path "${dotted}"`);
    node = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (!Object.hasOwn(node, last) || node[last] !== null)
    throw badRequest(`The map must point at a null variable: "${dotted}"`);
  node[last] = value;
}

/**
 * Reads the parts in the spec's order (`operations`, `map`, then files) and refuses as soon as one is
 * wrong, so a bad request is answered before its file is written. Only parts the map names reach disk.
 */
async function readParts(
  request: Request,
  options: StreamedUploadOptions,
  session: UploadSession,
): Promise<{ operations: GraphQLParams; map: Map<string, string[]>; parts: Map<string, StagedUpload> }> {
  let operations: GraphQLParams | null = null;
  let map: Map<string, string[]> | null = null;
  const parts = new Map<string, Promise<StagedUpload>>();
  const parser = busboy({
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
    limits: { fileSize: options.maxFileBytes, files: 1, fields: 2, fieldSize: 1_000_000 },
  });
  const fail = (error: unknown) => parser.destroy(error as Error);
  parser.on('field', (name, value, info) => {
    try {
      if (info.valueTruncated) throw badRequest(`The "${name}" part is too long`);
      if (name === 'operations') operations = parseOperations(value);
      else if (name === 'map') {
        if (!operations) throw badRequest('The "operations" part must come first');
        map = parseMap(value);
      }
    } catch (error) {
      fail(error);
    }
  });
  parser.on('file', (name, stream, info) => {
    // A destroyed parser destroys its current part with the error: a discarded part must not throw it.
    const discard = () => void stream.on('error', () => undefined).resume();
    if (!operations || !map) {
      discard();
      return fail(badRequest('File parts must come after the "operations" and "map" parts'));
    }
    // A part the map does not name is never written.
    if (!map.has(name) || parts.has(name)) return discard();
    const part = streamPart(stream, info, session);
    part.catch(discard);
    parts.set(name, part);
  });
  // A client that goes away mid-file ends the parse at once (its partial file is removed).
  const onAbort = () => fail(badRequest('The client aborted the upload'));
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // Yoga's Request body is a ponyfilled stream: read it as an async iterable, chunk by chunk.
    await pipeline(Readable.from(request.body as unknown as AsyncIterable<Uint8Array>), parser);
  } catch (error) {
    await Promise.allSettled(parts.values());
    throw error instanceof GraphQLError
      ? error
      : badRequest('The multipart body is malformed or was cut short');
  } finally {
    request.signal.removeEventListener('abort', onAbort);
  }
  const settled = new Map<string, StagedUpload>();
  for (const [name, part] of parts) settled.set(name, await part);
  if (!operations || !map) throw badRequest('The "operations" and "map" parts are required');
  return { operations, map, parts: settled };
}

/**
 * Parses GraphQL multipart requests (the multipart request spec) as a stream: each file part goes to
 * disk as it arrives, and the resolver receives a token of the staged file instead of Yoga's buffered
 * `File`. Multipart requests must carry `GraphQL-Require-Preflight`, which no cross-site form can send.
 */
async function parseMultipart(request: Request, options: StreamedUploadOptions): Promise<GraphQLParams> {
  if (!request.headers.get('graphql-require-preflight')) {
    throw badRequest('Multipart requests must send the GraphQL-Require-Preflight header (CSRF prevention)');
  }
  const principal = principalOf(request);
  if (!principal) throw refusal('A valid bearer token is required', 'UNAUTHENTICATED', 401);
  try {
    return await parseAuthenticated(request, principal, options);
  } catch (error) {
    await options.onRefused?.(principal, error);
    throw error;
  }
}

async function parseAuthenticated(
  request: Request,
  principal: Principal,
  options: StreamedUploadOptions,
): Promise<GraphQLParams> {
  if (principal.role !== 'ADMIN') throw refusal('Uploads need the ADMIN role', 'FORBIDDEN', 403);
  if (!request.body) throw badRequest('The multipart request has no body');
  if (!options.slots.take(principal.tokenId)) {
    throw refusal(`At most ${options.slots.perToken} uploads per token at a time`, 'TOO_MANY_UPLOADS', 429);
  }
  const uploads: RequestUploads = {
    session: new UploadSession(options.tempDir),
    staged: [],
    tokenId: principal.tokenId,
  };
  uploadsByRequest.set(request, uploads);
  await mkdir(options.tempDir, { recursive: true });
  try {
    const { operations, map, parts } = await readParts(request, options, uploads.session);
    for (const [key, paths] of map) {
      const upload = parts.get(key);
      if (!upload) throw badRequest(`The map names a file part "${key}" that was not sent`);
      const token = stageUpload(upload);
      uploads.staged.push(token);
      for (const dotted of paths) setPath(operations as unknown as Record<string, unknown>, dotted, token);
    }
    return operations;
  } catch (error) {
    await uploads.session.removeAll();
    throw error;
  }
}

export function useStreamedUploads(options: StreamedUploadOptions): Plugin {
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST') return;
      if (!request.headers.get('content-type')?.startsWith('multipart/form-data')) return;
      // The request Yoga handed the hooks: its principal and its uploads are keyed on it.
      setRequestParser(() => parseMultipart(request, options));
    },
    async onResponse({ request }) {
      const uploads = uploadsByRequest.get(request);
      if (!uploads) return;
      uploadsByRequest.delete(request);
      // Whatever the resolvers did not adopt is deleted: no partial or unused file stays behind.
      for (const token of uploads.staged) discardStagedUpload(token);
      await uploads.session.removeAll();
      options.slots.release(uploads.tokenId);
    },
  };
}
