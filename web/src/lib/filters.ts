/**
 * The store list's state lives in the URL query string, so a view can be shared and back/forward work.
 * This module is the one mapping between that query string, the filter form and the GraphQL variables.
 *
 *   ?source=cache&backend=openai&status=expired&q=invoices&expiring=7&sort=-usage_bytes&after=<cursor>
 *
 * Unknown or malformed values are ignored (the list falls back to "all"), never an error page.
 */
import { BACKENDS, ORDER_FIELDS, SOURCES, STATUSES } from './labels.ts';
import type {
  OrderDirection,
  StorageBackend,
  VectorStoreFilter,
  VectorStoreOrder,
  VectorStoreOrderField,
  VectorStoreSource,
  VectorStoreStatus,
  VectorStoresVariables,
} from './graphql/document-types.ts';

export const PAGE_SIZE = 20;
/** The server refuses longer searches. */
export const MAX_SEARCH_LENGTH = 200;
export const MAX_EXPIRING_DAYS = 3650;

export interface StoreListParams {
  source: VectorStoreSource | null;
  backend: StorageBackend | null;
  status: VectorStoreStatus | null;
  /** Part of the name; '' for none. */
  search: string;
  /** Only stores that expire within this many days from now. */
  expiringWithinDays: number | null;
  sort: VectorStoreOrder;
  after: string | null;
  before: string | null;
}

/** Newest first, as the API does without `orderBy`. */
export const DEFAULT_SORT: VectorStoreOrder = { field: 'CREATED_AT', direction: 'DESC' };

function pick<T extends string>(allowed: readonly T[], raw: string | null): T | null {
  if (raw === null) return null;
  const upper = raw.trim().toUpperCase();
  return (allowed as readonly string[]).includes(upper) ? (upper as T) : null;
}

/** `name` → NAME ascending, `-usage_bytes` → USAGE_BYTES descending. */
export function parseSort(raw: string | null): VectorStoreOrder {
  if (!raw) return DEFAULT_SORT;
  const descending = raw.startsWith('-');
  const field = pick(ORDER_FIELDS, descending ? raw.slice(1) : raw);
  return field ? { field, direction: descending ? 'DESC' : 'ASC' } : DEFAULT_SORT;
}

export function formatSort(sort: VectorStoreOrder): string {
  return `${sort.direction === 'DESC' ? '-' : ''}${sort.field.toLowerCase()}`;
}

export function parseListParams(query: URLSearchParams): StoreListParams {
  const days = Number(query.get('expiring'));
  const search = (query.get('q') ?? '').trim().slice(0, MAX_SEARCH_LENGTH);
  return {
    source: pick(SOURCES, query.get('source')),
    backend: pick(BACKENDS, query.get('backend')),
    status: pick(STATUSES, query.get('status')),
    search,
    expiringWithinDays:
      query.get('expiring') && Number.isInteger(days) && days >= 1 && days <= MAX_EXPIRING_DAYS ? days : null,
    sort: parseSort(query.get('sort')),
    after: query.get('after') || null,
    before: query.get('after') ? null : query.get('before') || null,
  };
}

/** The canonical query string of a list state: defaults are left out, keys in a fixed order. */
export function toSearchParams(params: StoreListParams): URLSearchParams {
  const query = new URLSearchParams();
  if (params.source) query.set('source', params.source.toLowerCase());
  if (params.backend) query.set('backend', params.backend.toLowerCase());
  if (params.status) query.set('status', params.status.toLowerCase());
  if (params.search) query.set('q', params.search);
  if (params.expiringWithinDays !== null) query.set('expiring', String(params.expiringWithinDays));
  const sort = formatSort(params.sort);
  if (sort !== formatSort(DEFAULT_SORT)) query.set('sort', sort);
  if (params.after) query.set('after', params.after);
  else if (params.before) query.set('before', params.before);
  return query;
}

/** The query string of a list state: `?…`, or '' for the unfiltered first page. */
export function listQuery(params: StoreListParams): '' | `?${string}` {
  const query = toSearchParams(params).toString();
  return query ? `?${query}` : '';
}

/** The same filters on their first page; any change of filter or sort starts there. */
export function firstPage(params: StoreListParams): StoreListParams {
  return { ...params, after: null, before: null };
}

/** Whether any filter narrows the list (sort and paging are not filters). */
export function hasFilters(params: StoreListParams): boolean {
  return (
    params.source !== null ||
    params.backend !== null ||
    params.status !== null ||
    params.search !== '' ||
    params.expiringWithinDays !== null
  );
}

/** Clicking a column header: sort by it ascending, or flip the direction when it already sorts. */
export function toggleSort(current: VectorStoreOrder, field: VectorStoreOrderField): VectorStoreOrder {
  if (current.field !== field) return { field, direction: field === 'CREATED_AT' ? 'DESC' : 'ASC' };
  const direction: OrderDirection = current.direction === 'ASC' ? 'DESC' : 'ASC';
  return { field, direction };
}

const DAY_MS = 86_400_000;

/** The GraphQL variables of a list state; `expiring` becomes an `expiresBefore` instant relative to `now`. */
export function toQueryVariables(
  params: StoreListParams,
  now: Date,
  pageSize = PAGE_SIZE,
): VectorStoresVariables & { filter: VectorStoreFilter } {
  const filter: VectorStoreFilter = {};
  if (params.source) filter.source = params.source;
  if (params.backend) filter.backend = params.backend;
  if (params.status) filter.status = params.status;
  if (params.search) filter.search = params.search;
  if (params.expiringWithinDays !== null) {
    filter.expiresBefore = new Date(now.getTime() + params.expiringWithinDays * DAY_MS).toISOString();
  }
  const variables: VectorStoresVariables & { filter: VectorStoreFilter } = { filter, orderBy: params.sort };
  if (params.before) {
    variables.last = pageSize;
    variables.before = params.before;
  } else {
    variables.first = pageSize;
    if (params.after) variables.after = params.after;
  }
  return variables;
}

/** What "expiring soon" means for the quick filter: within this many days. */
export const EXPIRING_SOON_DAYS = 3;

/**
 * The filters behind the quick filters' counts: every source (all, mirrors, local) with the other
 * filters kept, and "expiring soon" with everything else kept.
 */
export function countFilters(
  params: StoreListParams,
  now: Date,
): {
  all: VectorStoreFilter;
  cache: VectorStoreFilter;
  primary: VectorStoreFilter;
  expiringSoon: VectorStoreFilter;
} {
  const base = toQueryVariables({ ...params, source: null }, now).filter;
  return {
    all: base,
    cache: { ...base, source: 'CACHE' },
    primary: { ...base, source: 'PRIMARY' },
    expiringSoon: toQueryVariables({ ...params, expiringWithinDays: EXPIRING_SOON_DAYS }, now).filter,
  };
}
