import { describe, expect, it } from 'vitest';
import {
  describeExpiry,
  describeOrphanRule,
  formatBytes,
  formatDuration,
  formatRelativeTime,
  storeTitle,
} from './format.ts';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [10 * 1024, '10 KB'],
    [1024 * 1024 - 1, '1 MB'],
    [5.25 * 1024 ** 3, '5.3 GB'],
    [312 * 1024 ** 2, '312 MB'],
    [2 * 1024 ** 4, '2 TB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('refuses nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('uses the largest whole unit', () => {
    expect(formatDuration(3 * 86_400_000 + 5)).toBe('3 days');
    expect(formatDuration(86_400_000)).toBe('1 day');
    expect(formatDuration(2 * 3_600_000)).toBe('2 hours');
    expect(formatDuration(61_000)).toBe('1 minute');
    expect(formatDuration(10)).toBe('1 minute');
  });
});

describe('describeExpiry', () => {
  const now = new Date('2026-11-26T12:00:00Z');

  it('never, for stores without an expiry date', () => {
    expect(describeExpiry(null, 'COMPLETED', now)).toEqual({ label: 'never', tone: 'never' });
  });

  it('counts down to the date', () => {
    expect(describeExpiry('2026-11-29T13:00:00Z', 'COMPLETED', now)).toEqual({
      label: 'expires in 3 days',
      tone: 'ok',
    });
    expect(describeExpiry('2026-11-26T17:30:00Z', 'IN_PROGRESS', now)).toEqual({
      label: 'expires in 5 hours',
      tone: 'soon',
    });
  });

  it('expired when the date has passed or the status says so', () => {
    expect(describeExpiry('2026-11-26T11:59:00Z', 'COMPLETED', now).label).toBe('expired');
    expect(describeExpiry('2027-01-01T00:00:00Z', 'EXPIRED', now)).toEqual({
      label: 'expired',
      tone: 'expired',
    });
    expect(describeExpiry(null, 'EXPIRED', now).tone).toBe('expired');
  });
});

describe('formatRelativeTime', () => {
  const now = new Date('2026-11-26T12:00:00Z');

  it('picks the unit that reads well, both ways', () => {
    expect(formatRelativeTime('2026-11-26T12:00:20Z', now, 'en-GB')).toBe('in 20 seconds');
    expect(formatRelativeTime('2026-11-26T12:00:00.200Z', now, 'en-GB')).toBe('now');
    expect(formatRelativeTime('2026-11-26T12:05:00Z', now, 'en-GB')).toBe('in 5 minutes');
    // 59 min 50 s is "in 1 hour", not "in 60 minutes".
    expect(formatRelativeTime('2026-11-26T12:59:50Z', now, 'en-GB')).toBe('in 1 hour');
    expect(formatRelativeTime('2026-11-26T09:00:00Z', now, 'en-GB')).toBe('3 hours ago');
    expect(formatRelativeTime('2026-11-28T12:00:00Z', now, 'en-GB')).toBe('in 2 days');
  });

  it("speaks the reader's language", () => {
    expect(formatRelativeTime('2026-11-26T12:05:00Z', now, 'fr')).toBe('dans 5 minutes');
    expect(formatRelativeTime('2026-11-26T11:00:00Z', now, 'de')).toBe('vor 1 Stunde');
  });

  it('gives back what it cannot read', () => {
    expect(formatRelativeTime('soon', now, 'en')).toBe('soon');
  });
});

describe('describeOrphanRule', () => {
  it('states the grace period', () => {
    expect(describeOrphanRule(24)).toBe('Files attached to no store for more than 24 hours.');
    expect(describeOrphanRule(1)).toBe('Files attached to no store for more than 1 hour.');
    expect(describeOrphanRule(72)).toBe('Files attached to no store for more than 72 hours (3 days).');
    expect(describeOrphanRule(0)).toMatch(/^Files attached to no store, counted at once/);
  });
});

describe('storeTitle', () => {
  it('is the name, or "Untitled" with the OpenAI id for a store without one', () => {
    expect(storeTitle({ name: 'Support KB', externalId: 'vs_1' })).toBe('Support KB');
    expect(storeTitle({ name: null, externalId: 'vs_68c9e7afcb788191bb78a14c675ed352' })).toBe(
      'Untitled (vs_68c9e7afcb788191bb78a14c675ed352)',
    );
    expect(storeTitle({ name: '', externalId: null })).toBe('Untitled');
  });
});
