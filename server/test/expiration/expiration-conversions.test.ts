import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXPIRATION_DAYS,
  NEVER,
  SECONDS_PER_DAY,
  afterInactivity,
  describePolicy,
  expirationColumns,
  expirationFromHours,
  expirationFromSeconds,
  expiresAt,
  parseExpiration,
  parseExpirationText,
  policyFromColumn,
  policyFromInput,
  policyFromOpenAI,
  policyToColumn,
  policyToOpenAI,
  type ExpirationPolicy,
} from '../../src/domain/expiration.ts';
import { ValidationError } from '../../src/services/errors.ts';

const validDays = fc.integer({ min: EXPIRATION_DAYS.min, max: EXPIRATION_DAYS.max });
const policies: fc.Arbitrary<ExpirationPolicy> = fc.oneof(
  fc.constant(NEVER),
  validDays.map((days) => ({ kind: 'AFTER_INACTIVITY' as const, days })),
);
/** Instants OpenAI can report: whole seconds, 2020..2040. */
const instants = fc
  .integer({ min: Date.UTC(2020, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 })
  .map((s) => new Date(s * 1000));

/** Runs `fn` and returns the ValidationError it must throw. */
function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('round trips between local, database and OpenAI forms', () => {
  it('local → database → local is the identity', () => {
    fc.assert(
      fc.property(policies, (p) => {
        expect(policyFromColumn(policyToColumn(p))).toEqual(p);
      }),
    );
  });

  it('local → OpenAI wire → local is the identity, through JSON too', () => {
    fc.assert(
      fc.property(policies, (p) => {
        expect(policyFromOpenAI(policyToOpenAI(p))).toEqual(p);
        expect(policyFromOpenAI(JSON.parse(JSON.stringify(policyToOpenAI(p))))).toEqual(p);
      }),
    );
  });

  it('database → OpenAI wire → database is the identity', () => {
    const columns = fc.oneof(fc.constant(null), validDays);
    fc.assert(
      fc.property(columns, (days) => {
        expect(policyToColumn(policyFromOpenAI(policyToOpenAI(policyFromColumn(days))))).toBe(days);
      }),
    );
  });

  it('the wire form is OpenAI’s exactly: anchor last_active_at, or null for NEVER', () => {
    expect(policyToOpenAI(afterInactivity(7))).toEqual({ anchor: 'last_active_at', days: 7 });
    expect(policyToOpenAI(NEVER)).toBeNull();
    expect(policyFromOpenAI(undefined)).toEqual(NEVER);
    expect(policyFromOpenAI(null)).toEqual(NEVER);
  });

  it('a loose "P<n>D" of a valid policy converts back exactly', () => {
    fc.assert(
      fc.property(validDays, (days) => {
        expect(parseExpiration(`P${days}D`)).toEqual({ policy: afterInactivity(days), lossy: false });
      }),
    );
  });
});

describe('strict forms refuse what is not a valid policy', () => {
  const badDays = fc.oneof(
    fc.integer({ max: 0 }),
    fc.integer({ min: 366 }),
    fc.double({ noInteger: true }),
    fc.constantFrom(Number.NaN, Infinity, -Infinity),
  );

  it('afterInactivity and the GraphQL input refuse days outside whole 1..365, naming the field', () => {
    fc.assert(
      fc.property(badDays, (days) => {
        expect(refusal(() => afterInactivity(days)).field).toBe('days');
        expect(refusal(() => policyFromInput({ kind: 'AFTER_INACTIVITY', days })).field).toBe(
          'expirationPolicy.days',
        );
      }),
    );
    expect(refusal(() => policyFromInput({ kind: 'NEVER', days: 3 })).field).toBe('expirationPolicy.days');
    expect(refusal(() => policyFromInput({ kind: 'AFTER_INACTIVITY' })).field).toBe('expirationPolicy.days');
  });

  it('the wire form refuses bad days, another anchor, or a non-object', () => {
    fc.assert(
      fc.property(badDays, (days) => {
        expect(refusal(() => policyFromOpenAI({ anchor: 'last_active_at', days })).field).toBe(
          'expires_after.days',
        );
      }),
    );
    expect(refusal(() => policyFromOpenAI({ anchor: 'created_at', days: 7 })).field).toBe(
      'expires_after.anchor',
    );
    expect(refusal(() => policyFromOpenAI({ days: 7 })).field).toBe('expires_after.anchor');
    expect(refusal(() => policyFromOpenAI('7 days')).field).toBe('expires_after');
    expect(refusal(() => policyFromOpenAI([7])).field).toBe('expires_after');
  });

  it('a corrupt column is an error, not an invented policy', () => {
    fc.assert(
      fc.property(badDays, (days) => {
        expect(() => policyFromColumn(days)).toThrow(RangeError);
      }),
    );
  });
});

describe('loose inputs', () => {
  it('"never" and null are NEVER, exactly', () => {
    for (const input of ['never', ' NEVER ', 'Never', null]) {
      expect(parseExpiration(input)).toEqual({ policy: NEVER, lossy: false });
    }
  });

  it('known examples', () => {
    expect(parseExpiration('P7D')).toEqual({ policy: afterInactivity(7), lossy: false });
    expect(parseExpiration('P1W')).toEqual({ policy: afterInactivity(7), lossy: false });
    expect(parseExpiration('P1DT24H')).toEqual({ policy: afterInactivity(2), lossy: false });
    expect(parseExpiration('PT48H')).toEqual({ policy: afterInactivity(2), lossy: false });
    expect(parseExpiration('p1,5d')).toMatchObject({ policy: afterInactivity(2), lossy: true });
    expect(parseExpiration('PT36H')).toEqual({
      policy: afterInactivity(2),
      lossy: true,
      reason: 'rounded PT36H up to 2 days: OpenAI counts whole days of inactivity',
    });
    expect(expirationFromHours(36)).toEqual({
      policy: afterInactivity(2),
      lossy: true,
      reason: 'rounded 36 hours up to 2 days: OpenAI counts whole days of inactivity',
    });
    expect(parseExpiration('36h')).toMatchObject({ policy: afterInactivity(2), lossy: true });
    expect(parseExpiration('7 days')).toEqual({ policy: afterInactivity(7), lossy: false });
    expect(parseExpiration('1 hour')).toMatchObject({ policy: afterInactivity(1), lossy: true });
    expect(parseExpiration({ amount: 2, unit: 'weeks' })).toEqual({
      policy: afterInactivity(14),
      lossy: false,
    });
    expect(expirationFromSeconds(3600)).toMatchObject({ policy: afterInactivity(1), lossy: true });
    expect(expirationFromSeconds(2_592_000)).toEqual({ policy: afterInactivity(30), lossy: false });
    // 0.1 × 3 × 10 is 3.0000000000000004 in binary: still exactly 3 days, not rounded up to 4.
    expect(parseExpiration({ amount: 0.1 * 3 * 10, unit: 'days' })).toEqual({
      policy: afterInactivity(3),
      lossy: false,
    });
  });

  it('whole days in any unit convert exactly, in range', () => {
    const units = fc.constantFrom(
      ['seconds', SECONDS_PER_DAY] as const,
      ['minutes', 1440] as const,
      ['hours', 24] as const,
      ['days', 1] as const,
    );
    fc.assert(
      fc.property(validDays, units, (days, [unit, perDay]) => {
        expect(parseExpiration({ amount: days * perDay, unit })).toEqual({
          policy: afterInactivity(days),
          lossy: false,
        });
      }),
    );
  });

  it('durations that are not whole days round up by less than a day, and say so', () => {
    const seconds = fc
      .integer({ min: 1, max: EXPIRATION_DAYS.max * SECONDS_PER_DAY })
      .filter((s) => s % SECONDS_PER_DAY !== 0);
    fc.assert(
      fc.property(seconds, (s) => {
        const result = expirationFromSeconds(s);
        expect(result.lossy).toBe(true);
        if (!result.lossy || result.policy.kind !== 'AFTER_INACTIVITY') throw new Error('unreachable');
        // Never earlier than asked, never a whole day later.
        expect(result.policy.days * SECONDS_PER_DAY).toBeGreaterThan(s);
        expect(result.policy.days * SECONDS_PER_DAY - s).toBeLessThan(SECONDS_PER_DAY);
        expect(result.reason).toMatch(/^rounded .* up to \d+ days?/);
      }),
    );
  });

  it('fractional hours are accepted and converted exactly or flagged', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: EXPIRATION_DAYS.max * 24, noNaN: true }), (hours) => {
        const result = expirationFromHours(hours);
        if (result.policy.kind !== 'AFTER_INACTIVITY') throw new Error('unreachable');
        expect(result.policy.days).toBeGreaterThanOrEqual(1);
        expect(result.policy.days).toBeLessThanOrEqual(EXPIRATION_DAYS.max);
        const wholeDays = Math.abs(hours * 3600 - Math.round(hours / 24) * SECONDS_PER_DAY) <= 1e-6;
        expect(result.lossy).toBe(!(wholeDays && hours >= 24));
      }),
    );
  });

  it('over 365 days is refused by default, naming the field', () => {
    fc.assert(
      fc.property(fc.integer({ min: EXPIRATION_DAYS.max + 1, max: 1_000_000 }), (days) => {
        const error = refusal(() => parseExpiration(`P${days}D`, { field: 'input.expiresAfter' }));
        expect(error.field).toBe('input.expiresAfter');
        expect(error.message).toContain('365');
      }),
    );
  });

  it('clamping, when asked for, never leaves 1..365 and is always flagged', () => {
    const anyPositiveSeconds = fc.double({ min: 1e-6, max: 1e15, noNaN: true });
    fc.assert(
      fc.property(anyPositiveSeconds, (s) => {
        const result = expirationFromSeconds(s, { overMaximum: 'clamp' });
        if (result.policy.kind !== 'AFTER_INACTIVITY') throw new Error('unreachable');
        expect(result.policy.days).toBeGreaterThanOrEqual(EXPIRATION_DAYS.min);
        expect(result.policy.days).toBeLessThanOrEqual(EXPIRATION_DAYS.max);
        if (s > EXPIRATION_DAYS.max * SECONDS_PER_DAY) {
          expect(result).toMatchObject({
            lossy: true,
            reason: expect.stringMatching(/^clamped .* 365 days/),
          });
        }
      }),
    );
  });

  it('refuses garbage: negative, zero, NaN, infinite amounts', () => {
    const garbage = fc.oneof(
      fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
      fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity),
    );
    fc.assert(
      fc.property(garbage, fc.constantFrom('seconds', 'hours', 'days', 'weeks'), (amount, unit) => {
        expect(refusal(() => parseExpiration({ amount, unit }, { field: 'ttl' })).field).toBe('ttl');
      }),
    );
  });

  it('refuses unknown and ambiguous units, months and years', () => {
    for (const text of ['P1M', 'P1Y', 'P1Y2M', '3 months', '1 year', '5m', '2 fortnights', '7 parsecs']) {
      expect(refusal(() => parseExpirationText(text, { field: 'ttl' })).field).toBe('ttl');
    }
    expect(refusal(() => parseExpiration({ amount: 1, unit: 'months' })).message).toMatch(/ambiguous/);
    expect(refusal(() => parseExpiration({ amount: 1, unit: 'lightyears' })).message).toMatch(/Unknown unit/);
  });

  it('refuses malformed text whatever it is', () => {
    for (const text of [
      '',
      'P',
      'PT',
      'P1DT',
      '7',
      '-5 days',
      'P-1D',
      'PT0S',
      '0 days',
      'soon',
      'P7D extra',
    ]) {
      refusal(() => parseExpirationText(text));
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseExpirationText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });
});

describe('expiresAt', () => {
  it('is last_active_at + days × 86400 seconds, exactly as OpenAI computes expires_at', () => {
    fc.assert(
      fc.property(validDays, instants, (days, lastActiveAt) => {
        const at = expiresAt(afterInactivity(days), lastActiveAt)!;
        const openaiExpiresAt = lastActiveAt.getTime() / 1000 + days * SECONDS_PER_DAY;
        expect(at.getTime() / 1000).toBe(openaiExpiresAt);
      }),
    );
  });

  it('is null for NEVER or a store never active', () => {
    fc.assert(
      fc.property(instants, (at) => {
        expect(expiresAt(NEVER, at)).toBeNull();
      }),
    );
    fc.assert(
      fc.property(policies, (p) => {
        expect(expiresAt(p, null)).toBeNull();
      }),
    );
  });

  it('moves with lastActiveAt by the same amount', () => {
    fc.assert(
      fc.property(policies, instants, fc.integer({ min: 0, max: 10 ** 9 }), (p, at, shiftMs) => {
        const before = expiresAt(p, at);
        const after = expiresAt(p, new Date(at.getTime() + shiftMs));
        if (before === null) expect(after).toBeNull();
        else expect(after!.getTime() - before.getTime()).toBe(shiftMs);
      }),
    );
  });

  it('expirationColumns keeps both columns consistent with the policy', () => {
    fc.assert(
      fc.property(policies, fc.option(instants, { nil: null }), (p, at) => {
        const columns = expirationColumns(p, at);
        expect(policyFromColumn(columns.expirationDays)).toEqual(p);
        expect(columns.expiresAt).toEqual(expiresAt(p, at));
      }),
    );
  });
});

describe('describePolicy', () => {
  it('says it in words', () => {
    expect(describePolicy(NEVER)).toBe('Never expires');
    expect(describePolicy(afterInactivity(1))).toBe('Expires after 1 day of inactivity');
    expect(describePolicy(afterInactivity(7))).toBe('Expires after 7 days of inactivity');
  });
});
