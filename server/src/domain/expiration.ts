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
 * Looser inputs people give (a number of hours, seconds, an ISO 8601 duration, "never", "36h") are
 * converted by {@link parseExpiration}, which decides per case:
 * - garbage (NaN, infinities, negative, zero, unknown units, malformed text) is refused with a
 *   `ValidationError` naming the field. Zero is refused rather than read as "never" or "at once":
 *   both readings are plausible, and guessing wrong either loses data or keeps paying for it;
 * - months and years are refused: they have no fixed length in days (28 to 31, 365 or 366), so any
 *   conversion would be a guess about what the person meant, and `P30D` / `P365D` say it exactly;
 * - a duration that is not a whole number of days is rounded UP to whole days and flagged lossy
 *   (OpenAI only counts whole days). Up, because a store that lives a little longer than asked costs
 *   at most one day of storage, while one that expires earlier than asked breaks the runs that use it,
 *   the very surprise this vocabulary exists to remove;
 * - more than 365 days is refused by default, for the same reason: clamping to 365 would expire the
 *   store earlier than asked. A caller that prefers a best effort (an importer) passes
 *   `overMaximum: 'clamp'`, gets 365 days and a lossy flag with the reason, and must show it.
 *
 * Every lossy conversion says so: `{ policy, lossy: true, reason }`.
 */
import { ValidationError } from '../services/errors.ts';

export const EXPIRATION_DAYS = { min: 1, max: 365 } as const;
export const SECONDS_PER_DAY = 86_400;
const MS_PER_DAY = SECONDS_PER_DAY * 1000;

export type ExpirationPolicy =
  { readonly kind: 'NEVER' } | { readonly kind: 'AFTER_INACTIVITY'; readonly days: number };

export type ExpirationKind = ExpirationPolicy['kind'];

export const NEVER: ExpirationPolicy = Object.freeze({ kind: 'NEVER' });

/** The result of converting a loose input: exact, or lossy with a reason a person can read. */
export type ExpirationConversion =
  | { readonly policy: ExpirationPolicy; readonly lossy: false }
  | { readonly policy: ExpirationPolicy; readonly lossy: true; readonly reason: string };

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
 * The policy of a stored row. Both writers (local mutations, sync from OpenAI) validate before
 * writing, so a bad value here is corruption: it throws rather than invent a policy.
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

// ---------------------------------------------------------------------------------------------
// Loose inputs

/** Units a loose amount may come in. Months and years are left out on purpose (see the file comment). */
export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days' | 'weeks';

const SECONDS_PER: Record<DurationUnit, number> = {
  seconds: 1,
  minutes: 60,
  hours: 3_600,
  days: SECONDS_PER_DAY,
  weeks: 7 * SECONDS_PER_DAY,
};

export interface ParseOptions {
  /** The input field, named in errors. */
  field?: string;
  /** More than 365 days: refuse (default), or clamp to 365 and flag the conversion lossy. */
  overMaximum?: 'refuse' | 'clamp';
}

/** What people give: "never", a text duration (ISO 8601 or "36h"), or an amount with its unit. */
export type LooseExpiration = string | { amount: number; unit: string } | null;

/**
 * Any loose input to a policy. `null` and "never" (any case) are NEVER, exactly. Everything else is a
 * duration: see the file comment for how each case is decided.
 */
export function parseExpiration(input: LooseExpiration, options: ParseOptions = {}): ExpirationConversion {
  const field = options.field ?? 'expiration';
  if (input === null) return { policy: NEVER, lossy: false };
  if (typeof input === 'string') return parseExpirationText(input, options);
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(
      field,
      'Give "never", a duration such as "P7D" or "36h", or an amount with a unit',
    );
  }
  const unit = unitOf(input.unit, field);
  return fromDuration([[input.amount, unit]], describeAmount(input.amount, unit), options);
}

/** An amount of hours, as OpenAI's File expiry and many people count. */
export function expirationFromHours(hours: number, options: ParseOptions = {}): ExpirationConversion {
  return parseExpiration({ amount: hours, unit: 'hours' }, options);
}

/** An amount of seconds, the unit of OpenAI's File `expires_after`. */
export function expirationFromSeconds(seconds: number, options: ParseOptions = {}): ExpirationConversion {
  return parseExpiration({ amount: seconds, unit: 'seconds' }, options);
}

const UNIT_WORDS: Record<string, DurationUnit> = {
  s: 'seconds', sec: 'seconds', secs: 'seconds', second: 'seconds', seconds: 'seconds',
  min: 'minutes', mins: 'minutes', minute: 'minutes', minutes: 'minutes',
  h: 'hours', hr: 'hours', hrs: 'hours', hour: 'hours', hours: 'hours',
  d: 'days', day: 'days', days: 'days',
  w: 'weeks', wk: 'weeks', wks: 'weeks', week: 'weeks', weeks: 'weeks',
}; // prettier-ignore

/** Words refused with a reason instead of "unknown unit": they would need a guess. */
const AMBIGUOUS_UNITS = new Set(['m', 'mo', 'mos', 'month', 'months', 'y', 'yr', 'yrs', 'year', 'years']);

function unitOf(word: string, field: string): DurationUnit {
  const key = word.trim().toLowerCase();
  if (AMBIGUOUS_UNITS.has(key)) {
    throw new ValidationError(
      field,
      `"${word}" is ambiguous (months and years have no fixed number of days; "m" could be minutes): give days`,
    );
  }
  const unit = UNIT_WORDS[key];
  if (!unit) {
    throw new ValidationError(field, `Unknown unit "${word}": use seconds, minutes, hours, days or weeks`);
  }
  return unit;
}

const NUMBER = String.raw`\d+(?:[.,]\d+)?`;
const ISO_DURATION = new RegExp(
  String.raw`^P(?:(${NUMBER})Y)?(?:(${NUMBER})M)?(?:(${NUMBER})W)?(?:(${NUMBER})D)?` +
    String.raw`(?:T(?:(${NUMBER})H)?(?:(${NUMBER})M)?(?:(${NUMBER})S)?)?$`,
  'i',
);
const AMOUNT_WITH_UNIT = new RegExp(String.raw`^(${NUMBER})\s*([a-z]+)$`, 'i');

const decimal = (text: string) => Number(text.replace(',', '.'));

/**
 * "never", an ISO 8601 duration (`P7D`, `PT36H`, `P1W`, `P1DT12H`; a decimal comma or point is
 * accepted in any component; `P1M` / `P1Y` are refused as ambiguous), or an amount with a unit
 * (`36h`, `7 days`, `90 min`).
 */
export function parseExpirationText(text: string, options: ParseOptions = {}): ExpirationConversion {
  const field = options.field ?? 'expiration';
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'never') return { policy: NEVER, lossy: false };

  const iso = ISO_DURATION.exec(trimmed);
  if (iso && trimmed.length > 1 && !/T$/i.test(trimmed)) {
    const [, years, months, weeks, days, hours, minutes, seconds] = iso;
    if (years !== undefined || months !== undefined) {
      throw new ValidationError(
        field,
        `"${trimmed}" uses months or years, which have no fixed number of days: give days (e.g. P30D)`,
      );
    }
    const parts: Array<[number, DurationUnit]> = [];
    const add = (value: string | undefined, unit: DurationUnit) => {
      if (value !== undefined) parts.push([decimal(value), unit]);
    };
    add(weeks, 'weeks');
    add(days, 'days');
    add(hours, 'hours');
    add(minutes, 'minutes');
    add(seconds, 'seconds');
    return fromDuration(parts, trimmed, options);
  }

  const amount = AMOUNT_WITH_UNIT.exec(trimmed);
  if (amount) {
    const unit = unitOf(amount[2]!, field);
    const value = decimal(amount[1]!);
    return fromDuration([[value, unit]], describeAmount(value, unit), options);
  }
  throw new ValidationError(
    field,
    `Cannot read "${trimmed}" as an expiration: give "never", an ISO 8601 duration such as P7D, or e.g. "36 hours"`,
  );
}

function describeAmount(amount: number, unit: DurationUnit): string {
  return plural(amount, unit.slice(0, -1));
}

/**
 * Floating point: 0.1 + 0.2 days of hours is not exactly 7.2 hours. A duration within a microsecond of
 * whole days is taken as whole days, so inputs that are exact for a person stay exact here; a
 * microsecond is far above the rounding error of any duration up to 365 days, and far below anything
 * that matters for an expiry.
 */
const WHOLE_DAY_TOLERANCE_SECONDS = 1e-6;

function fromDuration(
  parts: Array<[number, DurationUnit]>,
  label: string,
  options: ParseOptions,
): ExpirationConversion {
  const field = options.field ?? 'expiration';
  let seconds = 0;
  for (const [amount, unit] of parts) {
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
      throw new ValidationError(
        field,
        `The duration must be a finite, positive number, got ${String(amount)}`,
      );
    }
    seconds += amount * SECONDS_PER[unit];
  }
  if (seconds === 0) {
    throw new ValidationError(
      field,
      'A zero duration is ambiguous: use "never" for no expiry, or give at least 1 day',
    );
  }
  if (!Number.isFinite(seconds)) throw new ValidationError(field, 'The duration is too large to read');

  const nearest = Math.round(seconds / SECONDS_PER_DAY);
  // Less than a day is never "whole": it rounds up to 1 day, not down to an invalid 0.
  const whole = nearest >= 1 && Math.abs(seconds - nearest * SECONDS_PER_DAY) <= WHOLE_DAY_TOLERANCE_SECONDS;
  const days = whole ? nearest : Math.ceil(seconds / SECONDS_PER_DAY);

  if (days > EXPIRATION_DAYS.max) {
    if (options.overMaximum !== 'clamp') {
      throw new ValidationError(
        field,
        `${label} is more than the maximum of ${EXPIRATION_DAYS.max} days that OpenAI allows`,
      );
    }
    return {
      policy: { kind: 'AFTER_INACTIVITY', days: EXPIRATION_DAYS.max },
      lossy: true,
      reason: `clamped ${label} to the maximum of ${EXPIRATION_DAYS.max} days: the store may expire earlier than asked`,
    };
  }
  const policy: ExpirationPolicy = { kind: 'AFTER_INACTIVITY', days };
  if (whole) return { policy, lossy: false };
  return {
    policy,
    lossy: true,
    reason: `rounded ${label} up to ${plural(days, 'day')}: OpenAI counts whole days of inactivity`,
  };
}
