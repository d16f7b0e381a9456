import { describe, expect, it } from 'vitest';
import { describeAttempts, describeNextAttempt, describePlannedFiles } from './deletion.ts';

describe('describeNextAttempt', () => {
  const now = new Date('2026-11-26T12:00:00Z');

  it('counts down in the given locale', () => {
    expect(describeNextAttempt('2026-11-26T12:04:00Z', now, 'en-GB')).toBe('in 4 minutes');
    expect(describeNextAttempt('2026-11-26T12:00:30Z', now, 'en-GB')).toBe('in 30 seconds');
    expect(describeNextAttempt('2026-11-26T12:04:00Z', now, 'fr')).toBe('dans 4 minutes');
  });

  it('is due once the time has come (the worker takes it, or is on it)', () => {
    expect(describeNextAttempt('2026-11-26T12:00:00Z', now, 'en-GB')).toBe('due now');
    expect(describeNextAttempt('2026-11-26T11:58:00Z', now, 'en-GB')).toBe('due now');
  });
});

describe('describePlannedFiles', () => {
  it('planning until an attempt has failed without a plan, then the count', () => {
    expect(describePlannedFiles(0, 0, null)).toBe('planning…');
    // The first attempt is under way: it plans before it deletes.
    expect(describePlannedFiles(0, 1, null)).toBe('planning…');
    expect(describePlannedFiles(0, 2, 'OpenAI answered 503')).toBe('none so far');
    expect(describePlannedFiles(1, 1, null)).toBe('1 File');
    expect(describePlannedFiles(12, 3, 'timeout')).toBe('12 Files');
  });
});

describe('describeAttempts', () => {
  it('reads zero as none yet', () => {
    expect(describeAttempts(0)).toBe('none yet');
    expect(describeAttempts(3)).toBe('3');
  });
});
