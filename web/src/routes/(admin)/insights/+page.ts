import { loadQuery } from '#lib/graphql/client.ts';
import { INSIGHTS_QUERY } from '#lib/graphql/documents.ts';
import { parseRange, RESOLUTION_OF } from '#lib/insights.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const range = parseRange(url.searchParams.get('range'));
  const result = await loadQuery(fetch, url, INSIGHTS_QUERY, { range, resolution: RESOLUTION_OF[range] });
  return { range, account: result.data?.viewer.account ?? null, error: result.error };
};
