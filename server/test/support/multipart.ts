/**
 * A GraphQL multipart request (the multipart request spec) whose file part is generated while it is
 * sent, so a test can upload far more bytes than it ever holds in memory.
 */
export function streamedUpload(options: {
  query: string;
  variables: Record<string, unknown>;
  /** Dotted path of the file variable, e.g. `variables.input.file`. */
  path: string;
  filename: string;
  bytes: number;
  /** The repeated content; the last repetition is cut to fit `bytes`. */
  pattern?: string;
}): { body: ReadableStream<Uint8Array>; contentType: string } {
  const boundary = `----vsalign${Math.random().toString(16).slice(2)}`;
  const encoder = new TextEncoder();
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n` +
      `${JSON.stringify({ query: options.query, variables: options.variables })}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({ 0: [options.path] })}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${options.filename}"\r\n` +
      `Content-Type: text/plain\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const block = encoder.encode(
    (options.pattern ?? 'The quick brown fox jumps over the lazy dog.\n').repeat(1500),
  );
  let sent = 0;
  let stage: 'head' | 'file' | 'tail' | 'done' = 'head';
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stage === 'head') {
        controller.enqueue(head);
        stage = 'file';
      } else if (stage === 'file') {
        const size = Math.min(block.length, options.bytes - sent);
        if (size > 0) controller.enqueue(block.subarray(0, size));
        sent += size;
        if (sent >= options.bytes) stage = 'tail';
      } else if (stage === 'tail') {
        controller.enqueue(tail);
        stage = 'done';
      } else {
        controller.close();
      }
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** One part of a hand-built multipart body: a field, or a file when `filename` is given. */
export interface Part {
  name: string;
  value: string | Uint8Array;
  filename?: string;
}

/** A multipart body built part by part, in any order and with any content (broken ones included). */
export function multipartBody(parts: Part[]): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `----vsalign${Math.random().toString(16).slice(2)}`;
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const disposition = part.filename
      ? `form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: text/plain`
      : `form-data; name="${part.name}"`;
    chunks.push(encoder.encode(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`));
    chunks.push(typeof part.value === 'string' ? encoder.encode(part.value) : part.value);
    chunks.push(encoder.encode('\r\n'));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(Buffer.concat(chunks));
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
