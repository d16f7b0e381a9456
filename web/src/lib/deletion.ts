/**
 * Words for the deletion panel of a store in DELETING: the server's durable queue deletes a mirror in
 * OpenAI (unshared Files, then the store) and retries with backoff while OpenAI fails.
 */
import { formatRelativeTime } from './format.ts';

/** When the queue tries next: "in 2 minutes" in the reader's locale, or "due now" once the time is past. */
export function describeNextAttempt(nextAttemptAt: string, now: Date, locale?: string): string {
  const at = Date.parse(nextAttemptAt);
  if (!Number.isNaN(at) && at <= now.getTime()) return 'due now';
  return formatRelativeTime(nextAttemptAt, now, locale);
}

/**
 * How many Files it deletes in OpenAI. Each attempt plans the count before deleting anything, so 0 means
 * "planning" until an attempt has failed (the first one may be under way); after a failure, "none so far".
 */
export function describePlannedFiles(
  plannedFileCount: number,
  attempts: number,
  lastError: string | null,
): string {
  if (plannedFileCount === 0) return attempts === 0 || lastError === null ? 'planning…' : 'none so far';
  return `${plannedFileCount} ${plannedFileCount === 1 ? 'File' : 'Files'}`;
}

/** "none yet", or the count (the attempt under way included). */
export function describeAttempts(attempts: number): string {
  return attempts === 0 ? 'none yet' : String(attempts);
}
