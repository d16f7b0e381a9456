import type { RequestEvent } from '@sveltejs/kit';
import { API_URL } from '$app/env/private';
import { SESSION_COOKIE } from './session.ts';

/** Request headers worth passing to the API; cookies and the browser's own auth are not among them. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'graphql-client-name', 'graphql-client-version'];
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

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(`${API_URL}/graphql${event.url.search}`, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      // Required by Node's fetch for a streamed request body.
      ...(hasBody ? { duplex: 'half' } : {}),
      signal: request.signal,
      redirect: 'manual',
    } as RequestInit);
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 });
    console.error(`GraphQL proxy: ${API_URL} unreachable:`, (error as Error).message);
    return Response.json(
      {
        errors: [{ message: 'The VS-ALIGN API cannot be reached.', extensions: { code: 'API_UNREACHABLE' } }],
      },
      { status: 502 },
    );
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
