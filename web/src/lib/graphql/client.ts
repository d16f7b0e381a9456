import { redirect } from '@sveltejs/kit';
import {
  Client,
  cacheExchange,
  fetchExchange,
  type AnyVariables,
  type CombinedError,
  type TypedDocumentNode,
} from '@urql/core';
import { signInHref } from '../paths.ts';

/**
 * Every GraphQL request of the UI goes to `/graphql` on the web origin: the SvelteKit server forwards it
 * with the session cookie as the bearer token (src/lib/server/graphql-proxy.ts), so no token is ever in
 * browser JavaScript.
 */
export const GRAPHQL_PATH = '/graphql';

/**
 * A client for one `load`: it uses Kit's `fetch` (cookies forwarded during SSR, responses replayed on
 * hydration) and keeps no cache, so every navigation shows fresh data. It is made per `load` on purpose:
 * on the server one shared client would hand one person's in-flight answer to another's identical query.
 */
export function createLoadClient(fetchFn: typeof fetch): Client {
  return new Client({
    url: GRAPHQL_PATH,
    fetch: fetchFn,
    exchanges: [fetchExchange],
    preferGetMethod: false,
    requestPolicy: 'network-only',
  });
}

let browserClient: Client | undefined;

/**
 * The long-lived client of the browser tab, for components that query or subscribe on their own.
 * Subscriptions use Yoga's Server-Sent Events over plain fetch, through the same proxy.
 */
export function getBrowserClient(): Client {
  browserClient ??= new Client({
    url: GRAPHQL_PATH,
    exchanges: [cacheExchange, fetchExchange],
    fetchSubscriptions: true,
    preferGetMethod: false,
  });
  return browserClient;
}

/** The API refused the token (missing, unknown or revoked). */
export function isUnauthenticated(error: CombinedError | undefined): boolean {
  if (!error) return false;
  const status = (error.response as Response | undefined)?.status;
  return status === 401 || error.graphQLErrors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED');
}

/** A short message for people: the first GraphQL error, or what went wrong with the network. */
export function errorMessage(error: CombinedError): string {
  const first = error.graphQLErrors[0];
  if (first) return first.message;
  if (error.networkError) return 'The VS-ALIGN API cannot be reached. Check that the server is running.';
  return error.message;
}

export type QueryOutcome<Data> =
  { data: Data; error: null } | { data: null; error: string; notFound: boolean };

/**
 * The API answers a malformed global id, or one of another type, with a field error and null data:
 * for people that is the same as an id that does not exist.
 */
function isBadIdError(error: CombinedError, data: unknown): boolean {
  if (error.networkError || error.graphQLErrors.length === 0 || data == null) return false;
  return error.graphQLErrors.every(
    (e) => e.path?.length === 1 && /invalid global id|is not of type/i.test(e.message),
  );
}

/**
 * Runs one query from a `load`. A refused token sends the person to sign in; any other failure is
 * returned as a message so the page can show an error state instead of crashing.
 */
export async function loadQuery<Data, Variables extends AnyVariables>(
  fetchFn: typeof fetch,
  url: URL,
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<QueryOutcome<Data>> {
  const result = await createLoadClient(fetchFn).query(document, variables).toPromise();
  if (isUnauthenticated(result.error)) {
    redirect(303, signInHref(url));
  }
  if (result.error) {
    return {
      data: null,
      error: errorMessage(result.error),
      notFound: isBadIdError(result.error, result.data),
    };
  }
  if (!result.data) return { data: null, error: 'The API sent an empty answer.', notFound: false };
  return { data: result.data, error: null };
}
