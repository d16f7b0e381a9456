import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { poolOf } from './data-source.ts';

/**
 * Hot read paths (a page of stores, their first files, the token lookup) run here: on the pg pool the
 * project made for the DataSource (see `poolOf`), as named prepared statements, with rows as pg returns them. Each connection parses and
 * plans a text once instead of on every request, and TypeORM's query builder and entity hydration,
 * which cost more CPU than these small queries, are skipped. Queries are still logged through the
 * DataSource's logger, like every other query.
 *
 * A statement's name is a digest of its text, so a name always means the same text on every
 * connection. Texts come from code, never from input (values are parameters), so there are few.
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>();

  constructor(private readonly db: DataSource) {}

  async rows<Row extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    this.db.logger.logQuery(text, values);
    const result = await poolOf(this.db).query<Row>({ name: this.nameOf(text), text, values });
    return result.rows;
  }

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (!name) {
      name = `vsa_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/** Positional parameters of a query being built: `add` returns the placeholder of a value. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * A timestamp column as epoch milliseconds (float8, exact for millisecond precision): pages read
 * hundreds of instants, and `new Date(ms)` costs far less than parsing PostgreSQL's text form.
 */
export const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

/** The Date of an `epochMs` column that may be null. */
export const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(ms));
