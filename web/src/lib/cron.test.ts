import { describe, expect, it } from 'vitest';
import { describeCron } from './cron.ts';

describe('describeCron', () => {
  it.each([
    ['*/5 * * * *', 'Every 5 minutes'],
    ['0 3 * * *', 'At 03:00'],
    ['0 9 * * 1-5', 'At 09:00, Monday through Friday'],
    // Lists and ranges, which the hand-written version could not put in words.
    ['0,30 8-18 * * *', 'At 0 and 30 minutes past the hour, between 08:00 and 18:59'],
    ['0 0 1 1 *', 'At 00:00, on day 1 of the month, only in January'],
    // Croner's seconds field, nicknames, last day and nth weekday.
    ['*/30 * * * * *', 'Every 30 seconds'],
    ['@yearly', 'At 00:00, on day 1 of the month, only in January'],
    ['0 0 L * *', 'At 00:00, on the last day of the month'],
    ['0 0 * * 0#2', 'At 00:00, on the second Sunday of the month'],
  ])('%s → %s', (expression, words) => {
    expect(describeCron(expression)).toBe(words);
  });

  it('returns null for what it cannot read, so the page shows the expression', () => {
    expect(describeCron('every tuesday')).toBeNull();
    expect(describeCron('')).toBeNull();
  });
});
