/**
 * The one expiration vocabulary, for local stores and OpenAI mirrors alike, and its conversions.
 * Pure: no I/O, no clock (callers pass the instants).
 *
 * A policy is NEVER, or AFTER_INACTIVITY with whole `days` from 1 to 365, anchored on `last_active_at`
 * exactly as OpenAI's `expires_after: { anchor: 'last_active_at', days }`: a store expires
 * `days * 86400` seconds after it was last active.
 *
 * Three representations:
 * - local: {@link ExpirationPolicy} (what the code passes around);
 * - database: the `expiration_days` column (null = NEVER) plus the derived `expires_at`;
 * - wire: OpenAI's `expires_after` object, absent or null for NEVER.
 * Between these three, conversions are exact and strict: a bad value is a bug or a broken peer, so it
 * is refused, never repaired.
 *
 * OpenAI's `expires_after` is read by {@link policyFromOpenAI} only: the sync mirrors a store whose
 * policy this vocabulary cannot hold without one, and records why on that store (`sync_error`).
 */
import { ValidationError } from '../services/errors.ts';

export const EXPIRATION_DAYS = { min: 1, max: 365 } as const;
export const SECONDS_PER_DAY = 86_400;
const MS_PER_DAY = SECONDS_PER_DAY * 1000;

export type ExpirationPolicy =
  { readonly kind: 'NEVER' } | { readonly kind: 'AFTER_INACTIVITY'; readonly days: number };

export type ExpirationKind = ExpirationPolicy['kind'];

export const NEVER: ExpirationPolicy = Object.freeze({ kind: 'NEVER' });

/** OpenAI's `VectorStoreExpirationAfter`; `last_active_at` is its only anchor. */
export interface OpenAIExpiresAfter {
  anchor: 'last_active_at';
  days: number;
}

/** The columns of `vector_store` that hold a policy. */
export interface ExpirationColumns {
  expirationDays: number | null;
  expiresAt: Date | null;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

function isValidDays(days: unknown): days is number {
  return (
    typeof days === 'number' &&
    Number.isInteger(days) &&
    days >= EXPIRATION_DAYS.min &&
    days <= EXPIRATION_DAYS.max
  );
}

const daysMessage = `Days must be a whole number from ${EXPIRATION_DAYS.min} to ${EXPIRATION_DAYS.max}`;

/** A strict AFTER_INACTIVITY policy; anything but a whole number of days in 1..365 is refused. */
export function afterInactivity(days: number, field = 'days'): ExpirationPolicy {
  if (!isValidDays(days)) throw new ValidationError(field, daysMessage);
  return { kind: 'AFTER_INACTIVITY', days };
}

/** The policy from the GraphQL input shape `{ kind, days }`; NEVER takes no days. */
export function policyFromInput(
  input: { kind: ExpirationKind; days?: number | null },
  field = 'expirationPolicy',
): ExpirationPolicy {
  if (input.kind === 'NEVER') {
    if (input.days != null) throw new ValidationError(`${field}.days`, 'A NEVER policy takes no days');
    return NEVER;
  }
  if (input.days == null) throw new ValidationError(`${field}.days`, 'An AFTER_INACTIVITY policy needs days');
  return afterInactivity(input.days, `${field}.days`);
}

// ---------------------------------------------------------------------------------------------
// Database columns

/**
 * The policy of a stored row. Both writers validate before writing (local mutations with
 * `policyFromInput`, the sync with `policyFromOpenAI`), and a migration cleared older rows outside
 * 1..365, so a bad value here is corruption: it throws rather than invent a policy.
 */
export function policyFromColumn(expirationDays: number | null): ExpirationPolicy {
  if (expirationDays === null) return NEVER;
  if (!isValidDays(expirationDays)) {
    throw new RangeError(`vector_store.expiration_days holds ${expirationDays}, outside 1..365`);
  }
  return { kind: 'AFTER_INACTIVITY', days: expirationDays };
}

/** The `expiration_days` column of a policy: null for NEVER. */
export function policyToColumn(policy: ExpirationPolicy): number | null {
  return policy.kind === 'NEVER' ? null : policy.days;
}

/**
 * OpenAI's rule, the same for local stores and mirrors: `expires_at = last_active_at + days * 86400`.
 * Null when the policy is NEVER, or when the store has never been active (OpenAI's `last_active_at` is
 * nullable, and without an anchor there is nothing to count from).
 */
export function expiresAt(policy: ExpirationPolicy, lastActiveAt: Date | null): Date | null {
  if (policy.kind === 'NEVER' || lastActiveAt === null) return null;
  return new Date(lastActiveAt.getTime() + policy.days * MS_PER_DAY);
}

/**
 * Both columns, consistent with each other. Call it whenever a primary store is created, its policy
 * changes, or its `lastActiveAt` moves, and write the result in the same statement.
 */
export function expirationColumns(policy: ExpirationPolicy, lastActiveAt: Date | null): ExpirationColumns {
  return { expirationDays: policyToColumn(policy), expiresAt: expiresAt(policy, lastActiveAt) };
}

// ---------------------------------------------------------------------------------------------
// OpenAI wire form

/** The `expires_after` to send: null for NEVER (on update, null clears the policy; on create, omit it). */
export function policyToOpenAI(policy: ExpirationPolicy): OpenAIExpiresAfter | null {
  return policy.kind === 'NEVER' ? null : { anchor: 'last_active_at', days: policy.days };
}

/**
 * The policy of an `expires_after` OpenAI sent (absent or null: NEVER). OpenAI itself enforces the
 * anchor and 1..365, so anything else is refused: a broken response is not a loose input to repair.
 */
export function policyFromOpenAI(value: unknown, field = 'expires_after'): ExpirationPolicy {
  if (value === undefined || value === null) return NEVER;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(field, 'expires_after must be an object or null');
  }
  const { anchor, days } = value as Record<string, unknown>;
  if (anchor !== 'last_active_at') {
    throw new ValidationError(`${field}.anchor`, 'The only supported anchor is "last_active_at"');
  }
  if (!isValidDays(days)) throw new ValidationError(`${field}.days`, daysMessage);
  return { kind: 'AFTER_INACTIVITY', days };
}

// ---------------------------------------------------------------------------------------------
// Human wording

/** "Expires after 7 days of inactivity" or "Never expires". */
export function describePolicy(policy: ExpirationPolicy): string {
  return policy.kind === 'NEVER'
    ? 'Never expires'
    : `Expires after ${plural(policy.days, 'day')} of inactivity`;
}
