import cronstrue from 'cronstrue';

/**
 * The account's sync schedule in words ("At 03:30, Monday through Friday"). The server runs it with
 * croner: five fields, an optional leading seconds field, nicknames (`@daily`), lists, ranges, steps,
 * `L` and `#`; cronstrue reads the same syntax. Null when it cannot: the page then shows the expression.
 */
export function describeCron(expression: string): string | null {
  try {
    return cronstrue.toString(expression.trim(), {
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
    });
  } catch {
    return null;
  }
}
