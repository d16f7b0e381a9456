import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * A request that cannot be parsed is the client's mistake: 400 `BAD_REQUEST`, not a masked 500. Yoga's
 * own parsers throw plain errors for some inputs (e.g. `variables` that are not JSON in a GET query).
 * Listed last, so it wraps whichever parser the other plugins chose; their GraphQLErrors pass through.
 */
export function useParseFailuresAsBadRequests(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (request) => {
        try {
          return await parse(request);
        } catch (error) {
          if (error instanceof GraphQLError) throw error;
          throw new GraphQLError('The request could not be parsed (malformed JSON or parameters)', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
  };
}
