/**
 * OpenAI's vector storage pricing, as documented (see shared/openai/vector-stores-api.md §9d): the
 * total `usage_bytes` across all vector stores, first GB free, then $0.10 per GB per day, where
 * GB is a binary gigabyte (2^30 bytes). OpenAI does not say whether the free GB is per organization or
 * per project; this service counts one free GB per account.
 */
export const GIB = 2 ** 30;
export const FREE_BYTES = GIB;
export const USD_PER_GIB_DAY = 0.1;

/**
 * OpenAI's documented storage limit per project: "each project can store up to 2.5 TB of files in total"
 * (`POST /files`, shared/openai/openapi.yaml; vector-stores-api.md §7). Read as decimal terabytes.
 */
export const STORAGE_QUOTA_DEFAULT_BYTES = 2_500_000_000_000;

/** Bytes billed beyond the free GiB. */
export function billableBytes(totalUsageBytes: number): number {
  return Math.max(0, totalUsageBytes - FREE_BYTES);
}

/** Estimated cost of one day of storage, in US dollars, unrounded (display rounds). */
export function estimatedDailyCostUsd(totalUsageBytes: number): number {
  return (billableBytes(totalUsageBytes) / GIB) * USD_PER_GIB_DAY;
}

/** The fields of a store that decide whether it is billed and costly. */
export interface BilledStoreFacts {
  backend: 'local' | 'openai';
  status: string;
  usageBytes: number;
  expirationDays: number | null;
}

/**
 * Whether OpenAI bills the store's usage: only OpenAI-backed stores are (local stores live here), and
 * an expired store no longer is ("you'll no longer be charged for them"). A store being deleted still
 * is, until OpenAI confirms the deletion.
 */
export function isBilled(store: BilledStoreFacts): boolean {
  return store.backend === 'openai' && store.status !== 'expired' && store.usageBytes > 0;
}

/** A billed store with no expiration policy: it bills until someone deletes it. */
export function isCostlyWithoutExpiration(store: BilledStoreFacts): boolean {
  return isBilled(store) && store.expirationDays === null;
}

/**
 * One store's share of the bill, per day, on its own: its billed usage at the price per GiB. The free
 * GiB is per account, so this is an upper bound; `estimatedDailyCostUsd` of the total is the bill.
 */
export function storeDailyCostUsd(store: BilledStoreFacts): number {
  return isBilled(store) ? (store.usageBytes / GIB) * USD_PER_GIB_DAY : 0;
}
