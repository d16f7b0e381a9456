/**
 * Pure formatting helpers shared by the list, the store page and the tests. The UI is written in English;
 * absolute dates are formatted in the reader's own locale by `LocalTime.svelte`.
 */

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * What a store is called on screen: its name, or "Untitled" with its OpenAI id for a store created
 * without a name (OpenAI sends `"name": null` for those made through threads and assistants).
 */
export function storeTitle(store: { name: string | null; externalId?: string | null }): string {
  if (store.name) return store.name;
  return store.externalId ? `Untitled (${store.externalId})` : 'Untitled';
}

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

/** A run's wall time: "850 ms", "12.4 s", "3 min 5 s". */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** The estimate of one day of storage, in US dollars: "$0.00", "$0.17", "$12.40". */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '—';
  if (amount > 0 && amount < 0.01) return '< $0.01';
  return `$${amount.toFixed(2)}`;
}

/**
 * An instant relative to `now` in the reader's own locale ("in 5 minutes", "dans 5 minutes", "now"),
 * in the largest unit that reads well. `locale` undefined means the browser's.
 */
export function formatRelativeTime(iso: string, now: Date, locale?: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const seconds = Math.round((at - now.getTime()) / 1000);
  if (Math.abs(seconds) < 60) return format.format(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(seconds / 3600);
  if (Math.abs(hours) < 24) return format.format(hours, 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

/** What counts as an orphan File, given the account's grace period, for the orphans page. */
export function describeOrphanRule(graceHours: number): string {
  if (graceHours <= 0)
    return 'Files attached to no store, counted at once (the account has no grace period).';
  const days = graceHours >= 48 && graceHours % 24 === 0 ? ` (${plural(graceHours / 24, 'day')})` : '';
  return `Files attached to no store for more than ${plural(graceHours, 'hour')}${days}.`;
}
