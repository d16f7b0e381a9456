import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { RequestEvent } from '@sveltejs/kit';
import { API_URL } from '$app/env/private';
import { SESSION_COOKIE } from './session.ts';

/** Request headers worth passing to the API; cookies and the browser's own auth are not among them. */
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'content-type',
  'graphql-client-name',
  'graphql-client-version',
  // The API's CSRF guard for multipart (upload) requests: only scripts of a page can set it.
  'graphql-require-preflight',
];
/** Hop-by-hop headers, and the encoding headers `fetch` has already undone. */
const DROPPED_RESPONSE_HEADERS = [
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
  'set-cookie',
  'access-control-allow-origin',
  'access-control-allow-credentials',
];

/**
 * `/graphql` on the web origin, forwarded to the API with the session cookie turned into a bearer token.
 * The response body is streamed through untouched (Server-Sent Events for subscriptions), and the
 * request's abort signal goes upstream so the API stops work when the tab goes away.
 */
export async function proxyGraphQL(event: RequestEvent): Promise<Response> {
  const { request } = event;
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const token = event.cookies.get(SESSION_COOKIE);
  if (token) headers.set('authorization', `Bearer ${token}`);
  // The API limits requests without a valid token per client address; it trusts this from us only.
  headers.set('x-forwarded-for', event.getClientAddress());

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  if (hasBody && isMultipart(request.headers.get('content-type'))) {
    // Without a session the API would refuse it anyway: do not stream the body there at all.
    return token ? forwardUpload(event, headers) : signInRequired();
  }
  let upstream: Response;
  try {
    // An ordinary body (a GraphQL document and its variables) is read whole, within Kit's
    // BODY_SIZE_LIMIT, and sent with its length: a streamed one would go upstream chunked, and the
    // API counts a body without a Content-Length through a stream of its own on every request.
    const body = hasBody ? await request.arrayBuffer() : undefined;
    upstream = await fetch(`${API_URL}/graphql${event.url.search}`, {
      method: request.method,
      headers,
      body,
      signal: request.signal,
      redirect: 'manual',
    });
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 });
    if (isTooLarge(error)) return tooLarge();
    console.error(`GraphQL proxy: ${API_URL} unreachable:`, (error as Error).message);
    return unreachable();
  }

  const responseHeaders = new Headers(upstream.headers);
  for (const name of DROPPED_RESPONSE_HEADERS) responseHeaders.delete(name);
  responseHeaders.set('cache-control', 'no-store');
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeaders,
  });
}

function signInRequired(): Response {
  return Response.json(
    { errors: [{ message: 'Sign in to upload files.', extensions: { code: 'UNAUTHENTICATED' } }] },
    { status: 401 },
  );
}

function unreachable(): Response {
  return Response.json(
    { errors: [{ message: 'The VS-ALIGN API cannot be reached.', extensions: { code: 'API_UNREACHABLE' } }] },
    { status: 502 },
  );
}

function tooLarge(): Response {
  return Response.json(
    {
      errors: [
        {
          message: 'The request body is larger than the web server accepts (BODY_SIZE_LIMIT).',
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    },
    { status: 413 },
  );
}

/** Kit's body stream fails with status 413 past adapter-node's BODY_SIZE_LIMIT. */
function isTooLarge(error: unknown): boolean {
  for (let e = error as { status?: number; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.status === 413) return true;
  }
  return false;
}

export function isMultipart(contentType: string | null): boolean {
  return contentType?.split(';', 1)[0]!.trim().toLowerCase() === 'multipart/form-data';
}

/**
 * Uploads (GraphQL multipart requests) go upstream with `node:http`: Node's `fetch` would hold a
 * streamed request body whole in memory, `node:http` keeps a few chunks.
 *
 * The body is read from Node's own request when adapter-node left it unread: Kit stops at its
 * BODY_SIZE_LIMIT (512K by default) without touching the stream when Content-Length is over it, so large
 * uploads pass straight through, bounded only by the API's upload limit. Smaller bodies (and dev server
 * requests) come through Kit's `request.body`.
 */
function forwardUpload(event: RequestEvent, headers: Headers): Promise<Response> {
  const { request } = event;
  const raw = (event.platform as { req?: IncomingMessage } | undefined)?.req;
  const untouched = raw && !raw.readableEnded && raw.listenerCount('data') === 0 && !raw.destroyed;
  const contentLength = request.headers.get('content-length');
  let body: Readable;
  if (untouched) {
    body = raw;
    if (contentLength) headers.set('content-length', contentLength);
  } else if (request.body) {
    body = Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
    if (contentLength) headers.set('content-length', contentLength);
  } else {
    body = Readable.from([]);
  }

  const url = new URL(`${API_URL}/graphql${event.url.search}`);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve) => {
    let settled = false;
    const finish = (response: Response) => {
      if (settled) return;
      settled = true;
      resolve(response);
    };
    const upstream = send(url, { method: request.method, headers: Object.fromEntries(headers) }, (res) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined || DROPPED_RESPONSE_HEADERS.includes(name)) continue;
        responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      responseHeaders.set('cache-control', 'no-store');
      finish(
        new Response(Readable.toWeb(res) as unknown as ReadableStream, {
          status: res.statusCode ?? 502,
          headers: responseHeaders,
        }),
      );
    });
    upstream.on('error', (error) => {
      if (request.signal.aborted) return finish(new Response(null, { status: 499 }));
      console.error(`GraphQL proxy: upload to ${API_URL} failed:`, error.message);
      finish(unreachable());
    });
    body.on('error', (error) => {
      upstream.destroy();
      finish(isTooLarge(error) ? tooLarge() : new Response(null, { status: 400 }));
    });
    request.signal.addEventListener('abort', () => upstream.destroy(), { once: true });
    body.pipe(upstream);
  });
}
