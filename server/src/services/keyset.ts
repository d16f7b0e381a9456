import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { SqlParameters } from '../db/prepared-statements.ts';
import { ValidationError } from './errors.ts';

/** What a page request asks for, in the shape the Relay connection helper hands over. */
export interface PageRequest {
  after?: string;
  before?: string;
  limit: number;
  /** Backwards paging (`last`): rows come nearest-to-`before` first. */
  inverted: boolean;
}

export interface SortKey {
  /** SQL expression of the sort value (never null: wrap nullable columns in COALESCE). */
  sql: string;
  direction: 'ASC' | 'DESC';
  /** The row's value of that expression, as it goes into a cursor. */
  valueOf(row: ObjectLiteral): string | number;
}

/** Cursors are opaque to clients: the sort value and the id, so paging is stable while rows change. */
export function encodeCursor(key: SortKey, row: ObjectLiteral, id: string = row.id): string {
  return Buffer.from(JSON.stringify([key.valueOf(row), id])).toString('base64url');
}

function decodeCursor(cursor: string, field: string): [string | number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      ['string', 'number'].includes(typeof value[0]) &&
      typeof value[1] === 'string'
    ) {
      return value as [string | number, string];
    }
  } catch {
    // fall through to the typed error
  }
  throw new ValidationError(field, 'Invalid cursor');
}

/**
 * Applies keyset pagination on (sort value, id): each page is an index range scan, whatever its depth.
 */
export function applyKeyset<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  idColumn: string,
  key: SortKey,
  page: PageRequest,
): SelectQueryBuilder<T> {
  const forward = key.direction === 'ASC';
  const bound = (cursor: string, field: string, side: 'after' | 'before', n: number) => {
    const [value, id] = decodeCursor(cursor, field);
    const greater = (side === 'after') === forward;
    qb.andWhere(`(${key.sql}, ${idColumn}) ${greater ? '>' : '<'} (:v${n}, :id${n})`, {
      [`v${n}`]: value,
      [`id${n}`]: id,
    });
  };
  if (page.after) bound(page.after, 'after', 'after', 0);
  if (page.before) bound(page.before, 'before', 'before', 1);
  const direction = page.inverted === forward ? 'DESC' : 'ASC';
  return qb.orderBy(key.sql, direction).addOrderBy(idColumn, direction).limit(page.limit);
}

/**
 * The same keyset pagination for hand-written SQL: the conditions to AND with the query's own, and
 * its `ORDER BY … LIMIT …` tail.
 */
export function keysetSql(
  key: SortKey,
  idColumn: string,
  page: PageRequest,
  params: SqlParameters,
): { conditions: string[]; orderAndLimit: string } {
  const forward = key.direction === 'ASC';
  const conditions: string[] = [];
  const bound = (cursor: string, side: 'after' | 'before') => {
    const [value, id] = decodeCursor(cursor, side);
    const greater = (side === 'after') === forward;
    conditions.push(
      `(${key.sql}, ${idColumn}) ${greater ? '>' : '<'} (${params.add(value)}, ${params.add(id)})`,
    );
  };
  if (page.after) bound(page.after, 'after');
  if (page.before) bound(page.before, 'before');
  const direction = page.inverted === forward ? 'DESC' : 'ASC';
  const orderAndLimit = `ORDER BY ${key.sql} ${direction}, ${idColumn} ${direction} LIMIT ${params.add(page.limit)}`;
  return { conditions, orderAndLimit };
}
