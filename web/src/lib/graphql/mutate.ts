import {
  Client,
  fetchExchange,
  type AnyVariables,
  type CombinedError,
  type TypedDocumentNode,
} from '@urql/core';
import { signInHref } from '../paths.ts';
import { GRAPHQL_PATH, errorMessage, isUnauthenticated } from './client.ts';

/**
 * Mutations (and one-off queries) from the browser: a client without cache, so an answer is always the
 * server's. A refused token sends the person to sign in; any other failure becomes one sentence.
 */
let client: Client | undefined;
function mutationClient(): Client {
  client ??= new Client({
    url: GRAPHQL_PATH,
    exchanges: [fetchExchange],
    preferGetMethod: false,
    requestPolicy: 'network-only',
  });
  return client;
}

export type Outcome<Data> = { data: Data; error: null } | { data: null; error: string };

/** The API refused the operation because the token is a viewer's. */
export function isForbidden(error: CombinedError | undefined): boolean {
  return Boolean(error?.graphQLErrors.some((e) => e.extensions?.['code'] === 'FORBIDDEN'));
}

function outcome<Data>(result: { data?: Data; error?: CombinedError }): Outcome<Data> {
  if (isUnauthenticated(result.error)) {
    window.location.assign(signInHref(new URL(window.location.href)));
    return { data: null, error: 'Your session has ended: sign in again.' };
  }
  if (isForbidden(result.error)) {
    return { data: null, error: 'Your role (viewer) may look but not change anything.' };
  }
  if (result.error) return { data: null, error: errorMessage(result.error) };
  if (!result.data) return { data: null, error: 'The API sent an empty answer.' };
  return { data: result.data, error: null };
}

export async function mutate<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Outcome<Data>> {
  return outcome(await mutationClient().mutation(document, variables).toPromise());
}

export async function query<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Outcome<Data>> {
  return outcome(await mutationClient().query(document, variables).toPromise());
}
