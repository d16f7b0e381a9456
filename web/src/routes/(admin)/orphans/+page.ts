import { loadQuery } from '#lib/graphql/client.ts';
import { ORPHANS_QUERY } from '#lib/graphql/documents.ts';
import type { PageVariables } from '#lib/graphql/document-types.ts';
import type { PageLoad } from './$types';

const ORPHANS_PAGE_SIZE = 50;

export const load: PageLoad = async ({ fetch, url }) => {
  const after = url.searchParams.get('after');
  const before = after ? null : url.searchParams.get('before');
  const variables: PageVariables = before
    ? { last: ORPHANS_PAGE_SIZE, before }
    : { first: ORPHANS_PAGE_SIZE, ...(after ? { after } : {}) };
  const result = await loadQuery(fetch, url, ORPHANS_QUERY, variables);
  return {
    orphans: result.data?.orphanFiles ?? null,
    cost: result.data?.storageCost ?? null,
    graceHours: result.data?.viewer.account.orphanGraceHours ?? null,
    error: result.error,
    after,
    before,
  };
};
