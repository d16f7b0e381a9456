import { loadQuery } from '#lib/graphql/client.ts';
import { SYNC_RUNS_QUERY } from '#lib/graphql/documents.ts';
import type { PageVariables } from '#lib/graphql/document-types.ts';
import type { PageLoad } from './$types';

const RUNS_PAGE_SIZE = 20;

export const load: PageLoad = async ({ fetch, url }) => {
  const after = url.searchParams.get('after');
  const before = after ? null : url.searchParams.get('before');
  const variables: PageVariables = before
    ? { last: RUNS_PAGE_SIZE, before }
    : { first: RUNS_PAGE_SIZE, ...(after ? { after } : {}) };
  const result = await loadQuery(fetch, url, SYNC_RUNS_QUERY, variables);
  return {
    runs: result.data?.syncRuns ?? null,
    schedule: result.data?.viewer.account.syncSchedule ?? null,
    error: result.error,
    after,
    before,
  };
};
