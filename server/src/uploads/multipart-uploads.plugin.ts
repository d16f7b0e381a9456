import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { discardStagedUpload, stageUpload, type StagedUpload } from './staged-upload.ts';

export interface StreamedUploadOptions {
  tempDir: string;
  maxFileBytes: number;
}

const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** Uploads staged while parsing each request; whatever a resolver did not adopt is deleted afterwards. */
const stagedByRequest = new WeakMap<Request, Array<{ token: string; upload: StagedUpload }>>();

/** Streams one file part to a temp file, hashing it on the way; past the limit it keeps nothing. */
async function streamPart(
  file: Readable,
  info: busboy.FileInfo,
  options: StreamedUploadOptions,
): Promise<StagedUpload> {
  const tempPath = path.join(options.tempDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
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
  await pipeline(file, createWriteStream(tempPath));
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

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null)
      throw badRequest(`The map names a missing path "${dotted}"`);
    node = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (!(last in node) || node[last] !== null)
    throw badRequest(`The map must point at a null variable: "${dotted}"`);
  node[last] = value;
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
  if (!request.body) throw badRequest('The multipart request has no body');
  await mkdir(options.tempDir, { recursive: true });
  const staged: Array<{ token: string; upload: StagedUpload }> = [];
  stagedByRequest.set(request, staged);

  const fields = new Map<string, string>();
  const files = new Map<string, Promise<StagedUpload>>();
  const parser = busboy({
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
    limits: { fileSize: options.maxFileBytes, files: 1, fields: 2, fieldSize: 1_000_000 },
  });
  parser.on('field', (name, value) => fields.set(name, value));
  parser.on('file', (name, stream, info) => {
    const staged = streamPart(stream, info, options);
    staged.catch(() => stream.resume());
    files.set(name, staged);
  });
  // Yoga's Request body is a ponyfilled stream: read it as an async iterable, chunk by chunk.
  await pipeline(Readable.from(request.body as unknown as AsyncIterable<Uint8Array>), parser);
  const parts = await Promise.all([...files].map(async ([name, staged]) => [name, await staged] as const));

  let operations: GraphQLParams;
  let map: Record<string, string[]>;
  try {
    operations = JSON.parse(fields.get('operations') ?? '');
    map = JSON.parse(fields.get('map') ?? '{}');
  } catch {
    throw badRequest('The "operations" and "map" parts must be JSON');
  }
  const uploads = new Map(parts);
  for (const [key, paths] of Object.entries(map)) {
    const upload = uploads.get(key);
    if (!upload) throw badRequest(`The map names a file part "${key}" that was not sent`);
    const token = stageUpload(upload);
    staged.push({ token, upload });
    for (const dotted of paths) setPath(operations as unknown as Record<string, unknown>, dotted, token);
  }
  for (const [key, upload] of uploads) {
    if (!(key in map) && upload.tempPath) await rm(upload.tempPath, { force: true });
  }
  return operations;
}

export function useStreamedUploads(options: StreamedUploadOptions): Plugin {
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST') return;
      if (!request.headers.get('content-type')?.startsWith('multipart/form-data')) return;
      setRequestParser((req) => parseMultipart(req, options));
    },
    async onResponse({ request }) {
      // Whatever the resolvers did not adopt is deleted: no partial or unused file stays behind.
      // An adopted upload was renamed away, so removing its temp path is a no-op.
      for (const { token, upload } of stagedByRequest.get(request) ?? []) {
        discardStagedUpload(token);
        if (upload.tempPath) await rm(upload.tempPath, { force: true });
      }
    },
  };
}
