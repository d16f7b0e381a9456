/**
 * Pure formatting helpers shared by the list, the store page and the tests. The UI is written in English;
 * absolute dates are formatted in the reader's own locale by `LocalTime.svelte`.
 */

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * Bytes for people, in powers of 1024 — the way OpenAI bills `usage_bytes` (1 GB = 2^30 bytes).
 * One decimal below 10 units ("1.5 GB"), none above ("312 MB").
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // 1023.95 KB would print as "1024 KB": move up a unit instead.
  if (Math.round(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toString();
  return `${text} ${BYTE_UNITS[unit]}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A positive duration in the largest whole unit that fits: "3 days", "5 hours", "1 minute". */
export function formatDuration(ms: number): string {
  if (ms >= DAY) return plural(Math.floor(ms / DAY), 'day');
  if (ms >= HOUR) return plural(Math.floor(ms / HOUR), 'hour');
  return plural(Math.max(1, Math.floor(ms / MINUTE)), 'minute');
}

export type ExpiryTone = 'never' | 'ok' | 'soon' | 'expired';

export interface ExpiryDescription {
  /** "expires in 3 days", "expired", "never". */
  label: string;
  /** How much attention it deserves; "soon" is under three days. */
  tone: ExpiryTone;
}

/** Days under which an upcoming expiry is highlighted. */
export const EXPIRY_WARNING_DAYS = 3;

/**
 * When a store expires, relative to `now`. An EXPIRED status wins over the date (the store is unusable
 * whatever `expiresAt` says); a date in the past reads "expired" even before the job marks the row.
 */
export function describeExpiry(expiresAt: string | null, status: string, now: Date): ExpiryDescription {
  if (status === 'EXPIRED') return { label: 'expired', tone: 'expired' };
  if (expiresAt === null) return { label: 'never', tone: 'never' };
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return { label: 'unknown', tone: 'ok' };
  const remaining = at - now.getTime();
  if (remaining <= 0) return { label: 'expired', tone: 'expired' };
  return {
    label: `expires in ${formatDuration(remaining)}`,
    tone: remaining < EXPIRY_WARNING_DAYS * DAY ? 'soon' : 'ok',
  };
}

/** "5 minutes ago", "just now", "in 2 days"; `fallback` when there is no date. */
export function formatRelative(iso: string | null, now: Date, fallback = 'never'): string {
  if (iso === null) return fallback;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return fallback;
  const delta = at - now.getTime();
  const size = Math.abs(delta);
  if (size < MINUTE) return 'just now';
  return delta < 0 ? `${formatDuration(size)} ago` : `in ${formatDuration(size)}`;
}

export interface ExpirationPolicyLike {
  kind: 'NEVER' | 'AFTER_INACTIVITY';
  days: number | null;
}

/** The policy in words, for the store page. */
export function describePolicy(policy: ExpirationPolicyLike): string {
  if (policy.kind === 'NEVER' || policy.days === null) return 'Never expires';
  return `Expires after ${plural(policy.days, 'day')} without activity (counted from the last activity, as OpenAI does)`;
}
