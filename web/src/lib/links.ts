import { listQuery, type StoreListParams } from './filters.ts';

/**
 * Paths for Kit's `resolve()`, which every link goes through so a base path would be honoured. Call sites
 * write `resolve(...)` themselves (the lint rule wants to see it there).
 *
 * These are pathnames (no leading slash), not route ids: `resolve('/(admin)?q=x')` drops the query string
 * (the group segment swallows it), and a route param is inserted unencoded, while global ids are base64
 * and may hold `/` or `+`.
 */

/** The store list, optionally in a given filter/sort/page state: `href={resolve(listPath(params))}`. */
export function listPath(params?: StoreListParams): '' | `?${string}` {
  return params ? listQuery(params) : '';
}

/** One store's page: `href={resolve(storePath(id))}`; `query` (e.g. a files cursor) starts with `?`. */
export function storePath(id: string, query: '' | `?${string}` = ''): `stores/${string}` {
  return `stores/${encodeURIComponent(id)}${query}`;
}

/** The sync page (run history), optionally at a cursor: `href={resolve(syncPath())}`. */
export function syncPath(query: '' | `?${string}` = ''): `sync${'' | `?${string}`}` {
  return `sync${query}`;
}

/** The orphan Files and storage cost page. */
export function orphansPath(query: '' | `?${string}` = ''): `orphans${'' | `?${string}`}` {
  return `orphans${query}`;
}

/** The Insights page (usage over time), optionally for a range: `?range=MONTH`. */
export function insightsPath(query: '' | `?${string}` = ''): `insights${'' | `?${string}`}` {
  return `insights${query}`;
}

/** The form that creates a local store. */
export function newStorePath(): 'stores/new' {
  return 'stores/new';
}

/** The edit form of a local store. */
export function editStorePath(id: string): `stores/${string}/edit` {
  return `stores/${encodeURIComponent(id)}/edit`;
}
