import { loadQuery } from '#lib/graphql/client.ts';
import { SOURCE_COUNTS_QUERY, VECTOR_STORES_QUERY } from '#lib/graphql/documents.ts';
import { countFilters, parseListParams, toQueryVariables } from '#lib/filters.ts';
import type { PageLoad } from './$types';

/**
 * The list state comes from the URL alone. During SSR the query goes through `fetch('/graphql')`, i.e. the
 * cookie proxy in hooks.server.ts; later navigations run this in the browser against the same proxy.
 * The quick filters' counts come in a second, parallel request (four `totalCount`s).
 */
export const load: PageLoad = async ({ fetch, url }) => {
  const params = parseListParams(url.searchParams);
  const now = Date.now();
  const [result, counts] = await Promise.all([
    loadQuery(fetch, url, VECTOR_STORES_QUERY, toQueryVariables(params, new Date(now))),
    loadQuery(fetch, url, SOURCE_COUNTS_QUERY, countFilters(params, new Date(now))),
  ]);
  return {
    params,
    now,
    connection: result.data?.vectorStores ?? null,
    error: result.error,
    counts: counts.data,
  };
};
