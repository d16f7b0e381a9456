import { loadQuery } from '#lib/graphql/client.ts';
import { AUDIT_EVENTS_QUERY } from '#lib/graphql/documents.ts';
import type { VariablesOf } from '#lib/graphql/graphql.ts';
import type { PageLoad } from './$types';

const AUDIT_PAGE_SIZE = 50;

export const load: PageLoad = async ({ fetch, url }) => {
  const after = url.searchParams.get('after');
  const before = after ? null : url.searchParams.get('before');
  const kind = url.searchParams.get('kind') || null;
  const actor = url.searchParams.get('actor') || null;
  const target = url.searchParams.get('target') || null;
  const variables: VariablesOf<typeof AUDIT_EVENTS_QUERY> = {
    ...(before ? { last: AUDIT_PAGE_SIZE, before } : { first: AUDIT_PAGE_SIZE, ...(after ? { after } : {}) }),
    kind,
    actorTokenId: actor,
    targetId: target,
  };
  const result = await loadQuery(fetch, url, AUDIT_EVENTS_QUERY, variables);
  return {
    events: result.data?.auditEvents ?? null,
    error: result.error,
    filters: { kind, actor, target },
    after,
    before,
  };
};
