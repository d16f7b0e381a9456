import { error, redirect } from '@sveltejs/kit';
import { createLoadClient, errorMessage, isUnauthenticated } from '#lib/graphql/client.ts';
import { LAYOUT_QUERY } from '#lib/graphql/documents.ts';
import { signInHref } from '#lib/paths.ts';
import { SESSION_COOKIE, clearSessionToken } from '#lib/server/session.ts';
import type { LayoutServerLoad } from './$types';

/**
 * Every admin page needs a valid token: check it once per visit and hand the viewer (and the account's
 * last sync run) to the header. `invalidateAll()` reruns it, e.g. when a sync ends.
 */
export const load: LayoutServerLoad = async ({ cookies, fetch, url, depends }) => {
  depends('app:layout');
  if (!cookies.get(SESSION_COOKIE)) redirect(303, signInHref(url));
  const result = await createLoadClient(fetch).query(LAYOUT_QUERY, {}).toPromise();
  if (isUnauthenticated(result.error)) {
    clearSessionToken(cookies);
    redirect(303, signInHref(url));
  }
  if (result.error || !result.data) {
    error(503, result.error ? errorMessage(result.error) : 'The API sent an empty answer.');
  }
  return { viewer: result.data.viewer, lastRun: result.data.syncRuns.edges[0]?.node ?? null };
};
