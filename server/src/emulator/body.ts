import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './errors.ts';
import type { UploadedFile } from './handlers/context.ts';
import type { Json } from './validation.ts';

const MAX_JSON_BYTES = 32 * 1024 * 1024;
// OpenAI: "Individual files can be up to 512 MB".
const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new ApiError(413, 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
      null,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.', null);
  }
  return body as Json;
}

/** Sets `a[b][c]` form fields as nested objects, the way the SDK encodes `expires_after`. */
function setField(target: Json, name: string, value: string): void {
  const path = name.split(/\[|\]\[|\]/).filter((part) => part !== '');
  let node = target;
  path.slice(0, -1).forEach((part) => {
    const next = node[part];
    node[part] = typeof next === 'object' && next !== null ? next : {};
    node = node[part] as Json;
  });
  node[path[path.length - 1] ?? name] = value;
}

export function readMultipartBody(req: IncomingMessage): Promise<{ fields: Json; upload?: UploadedFile }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
    } catch {
      reject(badRequest('Expected a multipart/form-data body.', null));
      return;
    }
    const fields: Json = {};
    let upload: UploadedFile | undefined;
    let tooLarge = false;
    parser.on('field', (name, value) => setField(fields, name, value));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => (tooLarge = true));
      stream.on('end', () => {
        if (name === 'file') upload = { filename: info.filename ?? 'upload', content: Buffer.concat(chunks) };
        else setField(fields, name, Buffer.concat(chunks).toString('utf8'));
      });
    });
    parser.on('error', () => reject(badRequest('Malformed multipart/form-data body.', null)));
    parser.on('close', () => {
      if (tooLarge) reject(badRequest('File is larger than the 512 MB limit.', 'file', 'file_too_large'));
      else resolve(upload === undefined ? { fields } : { fields, upload });
    });
    req.pipe(parser);
  });
}
