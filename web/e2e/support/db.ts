import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * PostgreSQL access for the e2e setup. `pg` is borrowed from the server package (already installed there)
 * rather than added to the web app, which has no business talking to the database.
 */
const requireFromServer = createRequire(
  fileURLToPath(new URL('../../../server/package.json', import.meta.url)),
);
const { Client } = requireFromServer('pg') as { Client: new (connectionString: string) => PgClient };

/** The little of `pg.Client` the setup uses (the web package has no `pg` types). */
export interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

export async function withClient<T>(url: string, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The database server of `DATABASE_URL` when set, else the local one every project machine runs. */
export function databaseServerUrl(): URL {
  return new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
}

function urlWithDatabase(name: string): string {
  const url = databaseServerUrl();
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createDatabase(name: string): Promise<string> {
  await withClient(urlWithDatabase('postgres'), (client) => client.query(`CREATE DATABASE "${name}"`));
  return urlWithDatabase(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await withClient(urlWithDatabase('postgres'), (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}
