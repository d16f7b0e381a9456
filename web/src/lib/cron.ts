/**
 * The account's sync schedule in words. The server runs it with croner, in the server's time zone:
 * five fields (minute hour day-of-month month day-of-week), an optional leading seconds field, and the
 * `@daily`-style nicknames. Only the common shapes are put in words; anything else returns null and the
 * page shows the expression itself.
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A whole number in [min, max], or null. */
function number(field: string, min: number, max: number): number | null {
  if (!/^\d{1,2}$/.test(field)) return null;
  const value = Number(field);
  return value >= min && value <= max ? value : null;
}

/** `*\/N` (or `*` for N = 1) as N, or null. */
function step(field: string, max: number): number | null {
  if (field === '*') return 1;
  const match = /^\*\/(\d{1,2})$/.exec(field);
  if (!match) return null;
  const value = Number(match[1]);
  return value >= 1 && value <= max ? value : null;
}

function month(field: string): number | null {
  const byName = MONTH_NAMES.indexOf(field.toUpperCase());
  return byName >= 0 ? byName + 1 : number(field, 1, 12);
}

function weekday(field: string): number | null {
  const byName = DAY_NAMES.indexOf(field.toUpperCase());
  if (byName >= 0) return byName;
  const value = number(field, 0, 7);
  return value === null ? null : value % 7;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "every 5 minutes", "every day at 03:30", "every Monday at 09:00"; null for other expressions. */
export function describeCron(expression: string): string | null {
  let text = expression.trim().replace(/\s+/g, ' ');
  text = NICKNAMES[text.toLowerCase()] ?? text;
  let fields = text.split(' ').map((field) => (field === '?' ? '*' : field));
  // Croner's optional seconds field: only "at second 0" reads as the five-field schedule.
  if (fields.length === 6) {
    if (fields[0] !== '0') return null;
    fields = fields.slice(1);
  }
  if (fields.length !== 5) return null;
  const [min, hour, dom, mon, dow] = fields as [string, string, string, string, string];
  const wild = (...parts: string[]) => parts.every((part) => part === '*');

  // Every N minutes.
  const minuteStep = step(min, 59);
  if (minuteStep !== null && wild(hour, dom, mon, dow)) {
    return minuteStep === 1 ? 'every minute' : `every ${minuteStep} minutes`;
  }

  const minute = number(min, 0, 59);
  if (minute === null) return null;
  const past = minute === 0 ? 'on the hour' : `at ${minute} ${minute === 1 ? 'minute' : 'minutes'} past`;

  // Every N hours, at a fixed minute.
  const hourStep = step(hour, 23);
  if (hourStep !== null) {
    if (!wild(dom, mon, dow)) return null;
    return hourStep === 1 ? `every hour, ${past}` : `every ${hourStep} hours, ${past}`;
  }

  const hh = number(hour, 0, 23);
  if (hh === null) return null;
  const at = `at ${pad(hh)}:${pad(minute)}`;

  if (wild(dom, mon, dow)) return `every day ${at}`;
  if (wild(dom, mon)) {
    if (dow === '1-5' || dow.toUpperCase() === 'MON-FRI') return `every weekday (Monday to Friday) ${at}`;
    const day = weekday(dow);
    return day === null ? null : `every ${DAYS[day]} ${at}`;
  }
  // Croner joins day-of-month and day-of-week with OR: not worth wording.
  if (dow !== '*') return null;
  const date = number(dom, 1, 31);
  if (date === null) return null;
  if (mon === '*') return `on the ${ordinal(date)} of every month ${at}`;
  const m = month(mon);
  return m === null ? null : `every year on ${date} ${MONTHS[m - 1]} ${at}`;
}
