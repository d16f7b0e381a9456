import { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const tooLarge = (limit: number) =>
  new GraphQLError(`Request body too large: at most ${limit} bytes`, {
    extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } },
  });

/**
 * A body limit for ordinary GraphQL requests (JSON, form-encoded). Multipart uploads are limited per
 * file by the upload parser instead, so Yoga's single global limit is turned off (`maxRequestBodySize`).
 * Listed after the parsers, it wraps whichever parser Yoga chose.
 *
 * A declared `Content-Length` within the limit is enough when Node's HTTP server read the request:
 * its parser ends the body at that length (and refuses a request that also declares chunked
 * encoding), so counting the bytes again would only cost a stream per request. Any other body (no
 * length, or a request built in-process) is counted as it arrives.
 */
export function useRequestBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, serverContext, requestParser, setRequestParser, fetchAPI }) {
      if (request.headers.get('content-type')?.startsWith('multipart/form-data')) return;
      const declared = request.headers.get('content-length');
      if (declared !== null && !/^\d+$/.test(declared)) {
        throw new GraphQLError('Content-Length header is invalid', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      }
      if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
      if (declared !== null && framedByNode(serverContext)) return;
      if (!requestParser || !request.body) return;
      // A chunked body has no Content-Length: count what arrives.
      const parse = requestParser;
      setRequestParser((req) => {
        let seen = 0;
        const counted = req.body!.pipeThrough(
          new fetchAPI.TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              seen += chunk.byteLength;
              if (seen > limit) controller.error(tooLarge(limit));
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(req.url, {
            method: req.method,
            headers: req.headers,
            signal: req.signal,
            body: counted,
            duplex: 'half',
          } as RequestInit),
        );
      });
    },
  };
}

/** Whether the request came through Node's HTTP server (whose parser enforces `Content-Length`). */
function framedByNode(serverContext: unknown): boolean {
  return (serverContext as { req?: unknown } | undefined)?.req instanceof IncomingMessage;
}
