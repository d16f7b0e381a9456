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

/** The audit log (admins), optionally filtered or at a cursor: `href={resolve(auditPath())}`. */
export function auditPath(query: '' | `?${string}` = ''): `audit${'' | `?${string}`}` {
  return `audit${query}`;
}

/** The audit log's filters, as its URL holds them. */
export interface AuditFilters {
  kind: string | null;
  actor: string | null;
  target: string | null;
}

/** The audit page's query string for these filters (and a cursor); empty filters are left out. */
export function auditQuery(
  filters: AuditFilters,
  cursor: { after?: string; before?: string } = {},
): '' | `?${string}` {
  const params = new URLSearchParams();
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.actor) params.set('actor', filters.actor);
  if (filters.target) params.set('target', filters.target);
  if (cursor.after) params.set('after', cursor.after);
  if (cursor.before) params.set('before', cursor.before);
  const query = params.toString();
  return query ? `?${query}` : '';
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
