import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXPIRATION_DAYS,
  NEVER,
  SECONDS_PER_DAY,
  afterInactivity,
  describePolicy,
  expirationColumns,
  expiresAt,
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
