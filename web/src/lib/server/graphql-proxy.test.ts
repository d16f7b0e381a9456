import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestEvent } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the stand-in API received: the proxy is tested against a real HTTP server. */
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
const api = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.setHeader('content-type', 'application/json');
    res.end('{"data":{"ok":true}}');
  });
});

let proxyGraphQL: (event: RequestEvent) => Promise<Response>;

beforeAll(async () => {
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  process.env.API_URL = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  ({ proxyGraphQL } = await import('./graphql-proxy.ts'));
});
afterAll(() => api.close());

/** Kit's body stream fails this way past adapter-node's BODY_SIZE_LIMIT. */
const overLimit = Object.assign(new Error('Content-length of 600000 exceeds limit of 524288 bytes.'), {
  status: 413,
});

/** A request as Kit hands it to the hook: its body a stream of unknown length. */
function eventOf(body: string, token: string | undefined, failure?: Error): RequestEvent {
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, 10));
      if (failure) return controller.error(failure);
      controller.enqueue(bytes.subarray(10));
      controller.close();
    },
  });
  const request = new Request('http://localhost:3000/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: 'other=1' },
    body: stream,
    duplex: 'half',
  } as RequestInit);
  return {
    request,
    url: new URL(request.url),
    cookies: { get: () => token },
    getClientAddress: () => '203.0.113.7',
    platform: undefined,
  } as unknown as RequestEvent;
}

describe('proxyGraphQL', () => {
  it('sends an ordinary body upstream whole, with its length, and the session as the bearer token', async () => {
    received.length = 0;
    const body = JSON.stringify({ query: '{ viewer { role } }', variables: { text: 'é'.repeat(50) } });
    const response = await proxyGraphQL(eventOf(body, 'session-token'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { ok: true } });
    const [upstream] = received;
    expect(upstream?.body).toBe(body);
    expect(upstream?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(upstream?.headers['transfer-encoding']).toBeUndefined();
    expect(upstream?.headers.authorization).toBe('Bearer session-token');
    expect(upstream?.headers.cookie).toBeUndefined();
    expect(upstream?.headers['x-forwarded-for']).toBe('203.0.113.7');
  });

  it("answers 413 for a body over Kit's limit and sends nothing upstream", async () => {
    received.length = 0;
    const response = await proxyGraphQL(
      eventOf('{"query":"{ viewer { role } }"}', 'session-token', overLimit),
    );
    expect(response.status).toBe(413);
    expect(
      ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions
        .code,
    ).toBe('PAYLOAD_TOO_LARGE');
    expect(received).toEqual([]);
  });
});
