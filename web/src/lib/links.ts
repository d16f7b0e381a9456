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
