import { loadQuery } from '#lib/graphql/client.ts';
import { VECTOR_STORES_QUERY } from '#lib/graphql/documents.ts';
import { parseListParams, toQueryVariables } from '#lib/filters.ts';
import type { PageLoad } from './$types';

/**
 * The list state comes from the URL alone. During SSR the query goes through `fetch('/graphql')`, i.e. the
 * cookie proxy in hooks.server.ts; later navigations run this in the browser against the same proxy.
 */
export const load: PageLoad = async ({ fetch, url }) => {
  const params = parseListParams(url.searchParams);
  const now = Date.now();
  const result = await loadQuery(fetch, url, VECTOR_STORES_QUERY, toQueryVariables(params, new Date(now)));
  return { params, now, connection: result.data?.vectorStores ?? null, error: result.error };
};
