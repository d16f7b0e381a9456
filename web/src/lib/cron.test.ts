import { describe, expect, it } from 'vitest';
import { describeCron } from './cron.ts';

describe('describeCron', () => {
  it.each([
    ['* * * * *', 'every minute'],
    ['*/1 * * * *', 'every minute'],
    ['*/5 * * * *', 'every 5 minutes'],
    ['  */15   *  * * * ', 'every 15 minutes'],
    ['0 * * * *', 'every hour, on the hour'],
    ['1 * * * *', 'every hour, at 1 minute past'],
    ['30 */6 * * *', 'every 6 hours, at 30 minutes past'],
    ['0 3 * * *', 'every day at 03:00'],
    ['5 17 * * ?', 'every day at 17:05'],
    ['0 9 * * 1', 'every Monday at 09:00'],
    ['0 9 * * 7', 'every Sunday at 09:00'],
    ['0 9 * * fri', 'every Friday at 09:00'],
    ['0 8 * * 1-5', 'every weekday (Monday to Friday) at 08:00'],
    ['0 0 1 * *', 'on the 1st of every month at 00:00'],
    ['0 0 22 * *', 'on the 22nd of every month at 00:00'],
    ['0 0 13 * *', 'on the 13th of every month at 00:00'],
    ['0 0 1 1 *', 'every year on 1 January at 00:00'],
    ['0 12 25 DEC *', 'every year on 25 December at 12:00'],
    ['0 */5 * * * *', 'every 5 minutes'],
    ['@daily', 'every day at 00:00'],
    ['@HOURLY', 'every hour, on the hour'],
    ['@yearly', 'every year on 1 January at 00:00'],
  ])('%s → %s', (expression, words) => {
    expect(describeCron(expression)).toBe(words);
  });

  it.each([
    '',
    'nonsense',
    '*/5 * * *',
    '30 * * * * *',
    '0,30 * * * *',
    '0 9,17 * * *',
    '0 9 1 * 1',
    '0 0 L * *',
    '0 9 * 6 *',
    '60 * * * *',
    '0 24 * * *',
    '*/0 * * * *',
    '0 0 1 13 *',
    '0 9 * * 8',
    '0 0 * * * * 2030',
  ])('%s stays an expression', (expression) => {
    expect(describeCron(expression)).toBeNull();
  });
});
