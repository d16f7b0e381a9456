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
 */
export function useRequestBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (request.headers.get('content-type')?.startsWith('multipart/form-data')) return;
      const declared = request.headers.get('content-length');
      if (declared !== null && !/^\d+$/.test(declared)) {
        throw new GraphQLError('Content-Length header is invalid', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      }
      if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
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
