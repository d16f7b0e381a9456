import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { DocumentNode } from 'graphql';
import pg from 'pg';
import pino from 'pino';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { createApp } from '../src/app.ts';
import { describePolicy, policyFromColumn, policyToOpenAI } from '../src/domain/expiration.ts';
import { isCostlyWithoutExpiration, storeDailyCostUsd } from '../src/domain/storage-cost.ts';
import { bearerToken, hashToken } from '../src/auth/token.ts';
import { createDataSource } from '../src/db/data-source.ts';
import { createLogger } from '../src/logger.ts';
import { createServices } from '../src/services/index.ts';
import { createAccount, createToken, testSecrets } from '../test/factories/index.ts';

/**
 * The API at size (issue 6): 10,000 stores and 200,000 Files (20 per store) in PostgreSQL, and the
 * pages of `BENCH_API_PAGE` (comma-separated; default `ui-list,ui-store`):
 * - `ui-list`: the web app's own store list, its `VECTOR_STORES_QUERY` document imported from web/ with
 *   the variables its list page sends for the default view (web/src/lib/filters.ts);
 * - `ui-store`: the web app's own store page, its `VECTOR_STORE_QUERY` document imported from web/ with
 *   the variables `routes/(admin)/stores/[id]/+page.ts` sends for a store's first page of files;
 * - `issue-6`: the page issue 6 wrote, 50 stores with their file counts and first 5 files.
 * The web app's pages are requested as its web server forwards them to the API: urql's body (with
 * the operation name) and `accept` header, the session's bearer token, `X-Forwarded-For`.
 *
 * Servers answer each page, each in a child process of its own: the GraphQL app (Yoga + Pothos +
 * TypeORM, exactly as main.ts builds it) and a baseline, hand-written SQL through a `pg.Pool` behind a
 * plain `node:http` handler that serializes the same JSON. autocannon drives them from this process
 * (programmatically) at 32 connections for 10 s after a warm-up, and checks every response body
 * against the first one (a mismatch counts as an error). They are measured in alternating rounds
 * (baseline, GraphQL, baseline, ...) and each round compared on its own. Target: GraphQL at least 50%
 * of the baseline's req/s, and its p99 within 3× of the baseline's, in the median round.
 *
 * `BENCH_API_CPU_PROF=<dir>` writes a CPU profile of each server process into <dir> (`<kind>.cpuprofile`).
 * `BENCH_POSTGRES_URL` is the server to use (default postgres://postgres@127.0.0.1:5432).
 */

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const STORES = 10_000;
const FILES_PER_STORE = 20;
const PAGE_SIZE = 50;
const FIRST_FILES = 5;
/** Both servers get the same number of database connections (TypeORM's default pool size). */
const POOL_SIZE = 10;
const CONNECTIONS = 32;
const DURATION_S = 10;
const WARMUP_S = 3;
/** Alternating rounds of baseline then GraphQL (`BENCH_API_ROUNDS`, default 3). */
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 3);
const TARGET_THROUGHPUT_RATIO = 0.5;
const TARGET_P99_RATIO = 3;

/** The page, literally as the issue writes it. */
export const PAGE_QUERY = `{ vectorStores(first: ${PAGE_SIZE}) { totalCount edges { cursor node { id name source status usageBytes fileCounts { inProgress completed failed cancelled total } files(first: ${FIRST_FILES}) { edges { node { status usageBytes file { filename bytes } } } } } } } }`;
/** The same page with the page sizes as variables, as the web app sends its documents. */
export const PAGE_QUERY_WITH_VARIABLES = `query Page($first: Int!, $files: Int!) { vectorStores(first: $first) { totalCount edges { cursor node { id name source status usageBytes fileCounts { inProgress completed failed cancelled total } files(first: $files) { edges { node { status usageBytes file { filename bytes } } } } } } } }`;

const LITERAL_BODY = JSON.stringify({ query: PAGE_QUERY });
const VARIABLES_BODY = JSON.stringify({
  query: PAGE_QUERY_WITH_VARIABLES,
  variables: { first: PAGE_SIZE, files: FIRST_FILES },
});

type PageName = 'ui-list' | 'ui-store' | 'issue-6';
const PAGE_NAMES: readonly PageName[] = ['ui-list', 'ui-store', 'issue-6'];
/** Which pages are measured, in this order. */
const PAGES = (process.env.BENCH_API_PAGE ?? 'ui-list,ui-store').split(',').map((name) => {
  if (!PAGE_NAMES.includes(name as PageName)) throw new Error(`BENCH_API_PAGE: unknown page '${name}'`);
  return name as PageName;
});

// The web app's own list document and variables, imported at run time (they lie outside the server's
// TypeScript project): the bench measures what the list page sends, and follows it when it changes.
const webLib = (file: string) => new URL(`../../web/src/lib/${file}`, import.meta.url).href;
const { VECTOR_STORES_QUERY } = (await import(webLib('graphql/documents.ts'))) as {
  VECTOR_STORES_QUERY: DocumentNode;
};
const { parseListParams, toQueryVariables } = (await import(webLib('filters.ts'))) as {
  parseListParams(query: URLSearchParams): unknown;
  toQueryVariables(params: unknown, now: Date): { first: number };
};
const UI_LIST_VARIABLES = toQueryVariables(parseListParams(new URLSearchParams()), new Date());

// A web app request as it reaches the API: urql's fetch exchange writes it (the body with the
// operation name, the `accept` header), and the web server forwards it as it came, with the session
// as the bearer token and the browser's address (web/src/lib/server/graphql-proxy.ts).
const webModules = createRequire(new URL('../../web/package.json', import.meta.url));
const { createRequest, makeOperation } = (await import(webModules.resolve('@urql/core'))) as {
  createRequest(document: DocumentNode, variables: object): object;
  makeOperation(kind: 'query', request: object, context: object): object;
};
const { makeFetchBody, makeFetchOptions } = (await import(webModules.resolve('@urql/core/internal'))) as {
  makeFetchBody(operation: object): object;
  makeFetchOptions(operation: object, body: object): { body: string; headers: Record<string, string> };
};
function urqlRequest(document: DocumentNode, variables: object): { body: string; accept: string } {
  const operation = makeOperation('query', createRequest(document, variables), {
    url: '/graphql',
    requestPolicy: 'network-only',
    preferGetMethod: false,
  });
  const { body, headers } = makeFetchOptions(operation, makeFetchBody(operation));
  return { body, accept: headers.accept! };
}
const UI_LIST_REQUEST = urqlRequest(VECTOR_STORES_QUERY, UI_LIST_VARIABLES);
const UI_LIST_BODY = UI_LIST_REQUEST.body;

// The web app's store page document, and the variables its load function sends for a store's first
// page of files (web/src/routes/(admin)/stores/[id]/+page.ts, FILES_PAGE_SIZE). The store is found
// after seeding (`Store 3`: a mirror with an expiration policy, so most fields hold a value).
const { VECTOR_STORE_QUERY } = (await import(webLib('graphql/documents.ts'))) as {
  VECTOR_STORE_QUERY: DocumentNode;
};
const UI_STORE_FILES_PAGE_SIZE = 25;
const UI_STORE_NAME = 'Store 3';
const uiStoreBody = (storeId: string) =>
  urqlRequest(VECTOR_STORE_QUERY, {
    id: Buffer.from(`VectorStore:${storeId}`).toString('base64'),
    filesFirst: UI_STORE_FILES_PAGE_SIZE,
  }).body;

// ---------------------------------------------------------------------------------------------
// autocannon ships no types: the little of it used here, typed by hand.

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  expectBody?: string;
}
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  total: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  duration: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

// ---------------------------------------------------------------------------------------------
// Seeding: set-based SQL, one statement per table.

export async function seed(url: string, accountId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Mirror rows are written as the sync writes them: the database refuses them from anyone else.
    await client.query(`SET LOCAL vs_align.mirror_writer = 'sync'`);
    // Half local primaries, half OpenAI mirrors; a tenth still in progress. Distinct creation times,
    // so the newest-first page is well defined.
    await client.query(
      `INSERT INTO vector_store (account_id, backend, source, external_id, name, status, expiration_days,
                                 last_active_at, synced_at, created_at, updated_at)
       SELECT $1, CASE WHEN i % 2 = 0 THEN 'local' ELSE 'openai' END,
              CASE WHEN i % 2 = 0 THEN 'primary' ELSE 'cache' END,
              CASE WHEN i % 2 = 1 THEN 'vs_bench' || lpad(i::text, 8, '0') END,
              'Store ' || i, CASE WHEN i % 10 = 0 THEN 'in_progress' ELSE 'completed' END,
              CASE WHEN i % 3 = 0 THEN 30 END, now() - i * interval '1 minute',
              CASE WHEN i % 2 = 1 THEN now() END,
              now() - i * interval '1 second', now() - i * interval '1 second'
         FROM generate_series(1, $2::int) AS i`,
      [accountId, STORES],
    );
    // One File per link: 20 per store, of the store's source; statuses mostly completed.
    await client.query(
      `CREATE TEMP TABLE seed_link ON COMMIT DROP AS
       SELECT vs.id AS store_id, vs.source, gen_random_uuid() AS file_id, j,
              (1000 + (hashtext(vs.id::text || j) & 1048575))::bigint AS bytes,
              CASE j WHEN 17 THEN 'in_progress' WHEN 18 THEN 'failed' WHEN 19 THEN 'cancelled'
                     ELSE 'completed' END AS status,
              vs.created_at + j * interval '1 millisecond' AS linked_at
         FROM vector_store vs CROSS JOIN generate_series(1, $2::int) AS j
        WHERE vs.account_id = $1`,
      [accountId, FILES_PER_STORE],
    );
    await client.query(
      `INSERT INTO file (id, account_id, source, external_id, filename, bytes, purpose, file_created_at,
                         synced_at, created_at, updated_at)
       SELECT file_id, $1, source, CASE WHEN source = 'cache' THEN 'file-' || replace(file_id::text, '-', '') END,
              'document-' || j || '.' || (ARRAY['pdf', 'md', 'txt', 'docx'])[1 + j % 4], bytes, 'assistants',
              linked_at, CASE WHEN source = 'cache' THEN now() END, linked_at, linked_at
         FROM seed_link`,
      [accountId],
    );
    await client.query(
      `INSERT INTO vector_store_file (vector_store_id, file_id, status, usage_bytes, last_error, created_at, updated_at)
       SELECT store_id, file_id, status, CASE WHEN status = 'completed' THEN bytes ELSE 0 END,
              CASE WHEN status = 'failed' THEN '{"code":"unsupported_file","message":"Unsupported file"}'::jsonb END,
              linked_at, linked_at
         FROM seed_link`,
    );
    await client.query(
      `UPDATE vector_store vs
          SET usage_bytes = c.usage, file_count_in_progress = c.in_progress, file_count_completed = c.completed,
              file_count_failed = c.failed, file_count_cancelled = c.cancelled, file_count_total = c.total
         FROM (SELECT store_id, sum(CASE WHEN status = 'completed' THEN bytes ELSE 0 END) AS usage,
                      count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
                      count(*) FILTER (WHERE status = 'completed') AS completed,
                      count(*) FILTER (WHERE status = 'failed') AS failed,
                      count(*) FILTER (WHERE status = 'cancelled') AS cancelled, count(*) AS total
                 FROM seed_link GROUP BY store_id) c
        WHERE vs.id = c.store_id`,
    );
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The baseline: the best SQL by hand, four statements (prepared), count alongside the page.

const SQL = {
  auth: `SELECT account_id FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL`,
  page: `SELECT id, name, source, status, usage_bytes, file_count_in_progress, file_count_completed,
                file_count_failed, file_count_cancelled, file_count_total, created_at
           FROM vector_store WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
  count: `SELECT count(*)::int AS n FROM vector_store WHERE account_id = $1`,
  links: `SELECT l.vector_store_id, l.status, l.usage_bytes, l.filename, l.bytes
            FROM unnest($1::uuid[]) WITH ORDINALITY AS s(id, ord)
            CROSS JOIN LATERAL (
              SELECT l.vector_store_id, l.status, l.usage_bytes, l.created_at, l.file_id, f.filename, f.bytes
                FROM vector_store_file l JOIN file f ON f.id = l.file_id
               WHERE l.vector_store_id = s.id
               ORDER BY l.created_at, l.file_id LIMIT $2) l
           ORDER BY s.ord, l.created_at, l.file_id`,
};

interface StoreRow {
  id: string;
  name: string;
  source: string;
  status: string;
  usage_bytes: string;
  file_count_in_progress: number;
  file_count_completed: number;
  file_count_failed: number;
  file_count_cancelled: number;
  file_count_total: number;
  created_at: Date;
}
interface LinkRow {
  vector_store_id: string;
  status: string;
  usage_bytes: string;
  filename: string;
  bytes: string;
}

/** The store fields both baselines answer as the GraphQL server does: cursor, global id, counts. */
const cursorOf = (s: StoreRow) =>
  Buffer.from(JSON.stringify([s.created_at.toISOString(), s.id])).toString('base64url');
const globalIdOf = (s: StoreRow) => Buffer.from(`VectorStore:${s.id}`).toString('base64');
const fileCountsOf = (s: StoreRow) => ({
  inProgress: s.file_count_in_progress,
  completed: s.file_count_completed,
  failed: s.file_count_failed,
  cancelled: s.file_count_cancelled,
  total: s.file_count_total,
});

async function baselinePage(pool: pg.Pool, token: string, page: PageName): Promise<string | null> {
  const auth = await pool.query<{ account_id: string }>({
    name: 'auth',
    text: SQL.auth,
    values: [hashToken(token)],
  });
  const accountId = auth.rows[0]?.account_id;
  if (!accountId) return null;
  if (page === 'ui-list') return baselineUiList(pool, accountId);
  if (page === 'ui-store') return baselineUiStore(pool, accountId);
  return baselineIssue6(pool, accountId);
}

async function baselineIssue6(pool: pg.Pool, accountId: string): Promise<string> {
  const [page, count] = await Promise.all([
    pool.query<StoreRow>({ name: 'page', text: SQL.page, values: [accountId, PAGE_SIZE] }),
    pool.query<{ n: number }>({ name: 'count', text: SQL.count, values: [accountId] }),
  ]);
  const links = await pool.query<LinkRow>({
    name: 'links',
    text: SQL.links,
    values: [page.rows.map((s) => s.id), FIRST_FILES],
  });
  const filesOf = new Map<string, Array<{ node: unknown }>>(page.rows.map((s) => [s.id, []]));
  for (const l of links.rows) {
    filesOf.get(l.vector_store_id)!.push({
      node: {
        status: l.status.toUpperCase(),
        usageBytes: Number(l.usage_bytes),
        file: { filename: l.filename, bytes: Number(l.bytes) },
      },
    });
  }
  return JSON.stringify({
    data: {
      vectorStores: {
        totalCount: count.rows[0]!.n,
        edges: page.rows.map((s) => ({
          cursor: cursorOf(s),
          node: {
            id: globalIdOf(s),
            name: s.name,
            source: s.source.toUpperCase(),
            status: s.status.toUpperCase(),
            usageBytes: Number(s.usage_bytes),
            fileCounts: fileCountsOf(s),
            files: { edges: filesOf.get(s.id) },
          },
        })),
      },
    },
  });
}

const UI_LIST_SQL = `SELECT id, name, source, backend, status, external_id, expires_at, usage_bytes, synced_at,
         expiration_days, file_count_in_progress, file_count_completed, file_count_failed,
         file_count_cancelled, file_count_total, files_listed_count, created_at
    FROM vector_store WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`;

interface UiListRow extends StoreRow {
  backend: string;
  external_id: string | null;
  expires_at: Date | null;
  synced_at: Date | null;
  expiration_days: number | null;
  files_listed_count: number | null;
}

/** The web app's list page by hand: one more row than the page tells whether another follows. */
async function baselineUiList(pool: pg.Pool, accountId: string): Promise<string> {
  const first = UI_LIST_VARIABLES.first;
  const [page, count] = await Promise.all([
    pool.query<UiListRow>({ name: 'ui-list', text: UI_LIST_SQL, values: [accountId, first + 1] }),
    pool.query<{ n: number }>({ name: 'count', text: SQL.count, values: [accountId] }),
  ]);
  const rows = page.rows.slice(0, first);
  const edges = rows.map((s) => {
    const usageBytes = Number(s.usage_bytes);
    return {
      cursor: cursorOf(s),
      node: {
        id: globalIdOf(s),
        name: s.name,
        source: s.source.toUpperCase(),
        backend: s.backend.toUpperCase(),
        status: s.status.toUpperCase(),
        readOnly: s.source === 'cache',
        externalId: s.external_id,
        expiresAt: s.expires_at?.toISOString() ?? null,
        usageBytes,
        syncedAt: s.synced_at?.toISOString() ?? null,
        costlyWithoutExpiration:
          s.backend === 'openai' && s.status !== 'expired' && usageBytes > 0 && s.expiration_days === null,
        fileCounts: fileCountsOf(s),
        countDrift:
          s.source === 'cache' && s.files_listed_count !== null && s.files_listed_count !== s.file_count_total
            ? { reported: s.file_count_total, listed: s.files_listed_count }
            : null,
      },
    };
  });
  return JSON.stringify({
    data: {
      vectorStores: {
        totalCount: count.rows[0]!.n,
        pageInfo: {
          hasNextPage: page.rows.length > first,
          hasPreviousPage: false,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
        edges,
      },
    },
  });
}

const UI_STORE_SQL = {
  store: `SELECT id, name, description, source, backend, status, external_id, expires_at, last_active_at,
                 usage_bytes, synced_at, expiration_days, sync_error, metadata, file_count_in_progress,
                 file_count_completed, file_count_failed, file_count_cancelled, file_count_total,
                 files_listed_count, created_at, updated_at
            FROM vector_store WHERE id = $1 AND account_id = $2`,
  links: `SELECT l.file_id, l.status, l.usage_bytes, l.created_at, l.attributes, l.last_error,
                 f.filename, f.bytes, f.purpose, f.external_id
            FROM vector_store_file l JOIN file f ON f.id = l.file_id AND f.account_id = $2
           WHERE l.vector_store_id = $1 ORDER BY l.created_at, l.file_id LIMIT $3`,
};

interface UiStoreRow extends UiListRow {
  description: string | null;
  last_active_at: Date | null;
  sync_error: string | null;
  metadata: Record<string, string>;
  updated_at: Date;
}
interface UiStoreLinkRow {
  file_id: string;
  status: string;
  usage_bytes: string;
  created_at: Date;
  attributes: unknown;
  last_error: { code: string; message: string } | null;
  filename: string;
  bytes: string;
  purpose: string;
  external_id: string | null;
}

/** The id of the store the store page shows, set once seeded (the child reads it from its argv). */
let uiStoreId = '';

/** The web app's store page by hand: the store and its first files, read side by side. */
async function baselineUiStore(pool: pg.Pool, accountId: string): Promise<string> {
  const first = UI_STORE_FILES_PAGE_SIZE;
  const [store, links] = await Promise.all([
    pool.query<UiStoreRow>({ name: 'ui-store', text: UI_STORE_SQL.store, values: [uiStoreId, accountId] }),
    pool.query<UiStoreLinkRow>({
      name: 'ui-store-links',
      text: UI_STORE_SQL.links,
      values: [uiStoreId, accountId, first + 1],
    }),
  ]);
  const s = store.rows[0];
  if (!s) return JSON.stringify({ data: { vectorStore: null } });
  // The benched store is not being deleted, so its `deletion` is null (the app reads no queue row).
  if (s.status === 'deleting') throw new Error('The benched store must not be DELETING');
  const usageBytes = Number(s.usage_bytes);
  const facts = {
    backend: s.backend as 'local' | 'openai',
    status: s.status,
    usageBytes,
    expirationDays: s.expiration_days,
  };
  const policy = policyFromColumn(s.expiration_days);
  const wire = policyToOpenAI(policy);
  const cursorOf = (l: UiStoreLinkRow) =>
    Buffer.from(JSON.stringify([l.created_at.toISOString(), l.file_id])).toString('base64url');
  const page = links.rows.slice(0, first);
  const edges = page.map((l) => ({
    node: {
      status: l.status.toUpperCase(),
      usageBytes: Number(l.usage_bytes),
      createdAt: l.created_at.toISOString(),
      attributes: l.attributes ? JSON.stringify(l.attributes) : null,
      lastError: l.last_error && { code: l.last_error.code, message: l.last_error.message },
      file: {
        id: Buffer.from(`FileObject:${l.file_id}`).toString('base64'),
        filename: l.filename,
        bytes: Number(l.bytes),
        purpose: l.purpose,
        externalId: l.external_id,
      },
    },
  }));
  return JSON.stringify({
    data: {
      vectorStore: {
        id: globalIdOf(s),
        name: s.name,
        source: s.source.toUpperCase(),
        backend: s.backend.toUpperCase(),
        status: s.status.toUpperCase(),
        readOnly: s.source === 'cache',
        externalId: s.external_id,
        expiresAt: s.expires_at?.toISOString() ?? null,
        usageBytes,
        syncedAt: s.synced_at?.toISOString() ?? null,
        costlyWithoutExpiration: isCostlyWithoutExpiration(facts),
        fileCounts: fileCountsOf(s),
        countDrift:
          s.source === 'cache' && s.files_listed_count !== null && s.files_listed_count !== s.file_count_total
            ? { reported: s.file_count_total, listed: s.files_listed_count }
            : null,
        description: s.description,
        syncError: s.sync_error,
        estimatedDailyCostUsd: storeDailyCostUsd(facts),
        expirationPolicy: {
          kind: policy.kind,
          days: policy.kind === 'NEVER' ? null : policy.days,
          description: describePolicy(policy),
          openai: wire && JSON.stringify(wire),
        },
        lastActiveAt: s.last_active_at?.toISOString() ?? null,
        metadata: Object.entries(s.metadata)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, value]) => ({ key, value })),
        createdAt: s.created_at.toISOString(),
        updatedAt: s.updated_at.toISOString(),
        deletion: null,
        files: {
          pageInfo: {
            hasNextPage: links.rows.length > first,
            hasPreviousPage: false,
            startCursor: page[0] ? cursorOf(page[0]) : null,
            endCursor: page.length > 0 ? cursorOf(page.at(-1)!) : null,
          },
          edges,
        },
      },
    },
  });
}

function baselineHandler(pool: pg.Pool) {
  return (req: IncomingMessage, res: ServerResponse) => {
    // Read (and drop) the body as any endpoint must; the page is named by the path (`/ui-list`, ...).
    const page = (req.url ?? '').slice(1) as PageName;
    req.resume();
    req.on('end', () => {
      const token = bearerToken(req.headers.authorization ?? null);
      const answer =
        token && PAGE_NAMES.includes(page) ? baselinePage(pool, token, page) : Promise.resolve(null);
      answer.then(
        (body) => {
          if (body === null) {
            res
              .writeHead(401, { 'content-type': 'application/json' })
              .end('{"errors":[{"message":"unauthenticated"}]}');
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
        },
        (error: unknown) => {
          console.error(error);
          res.writeHead(500).end();
        },
      );
    });
  };
}

/**
 * Raises GraphQL Armor's cost cap of every app built afterwards in this process to "unlimited"
 * (the cost is still computed). Diagnostic only: it patches the library, never app.ts.
 */
async function liftCostLimit(): Promise<void> {
  const { EnvelopArmor } = await import('@escape.tech/graphql-armor');
  const prototype = EnvelopArmor.prototype as unknown as {
    protect(this: { protections: Array<{ config: { costLimit?: { maxCost?: number } } }> }): unknown;
    lifted?: boolean;
  };
  if (prototype.lifted) return;
  const protect = prototype.protect;
  prototype.protect = function () {
    for (const protection of this.protections) {
      if (protection.config.costLimit) protection.config.costLimit.maxCost = Number.MAX_SAFE_INTEGER;
    }
    return protect.call(this);
  };
  prototype.lifted = true;
}

// ---------------------------------------------------------------------------------------------
// Server processes. The child reports its port over IPC and stops when told to.

/** `graphql-lifted`: the app with its query-cost cap lifted, to measure a page the cap refuses. */
type ServerKind = 'graphql' | 'graphql-lifted' | 'baseline';
/**
 * The GraphQL servers measured in the same rounds. One since graphql-jit went: it was measured here
 * as a second server (the app without it) and did not pay on these pages. To compare a variant, add
 * its kind here and build it in `serve`.
 */
const VARIANTS: readonly ServerKind[] = ['graphql'];
const VARIANT_LABELS: Record<ServerKind, string> = {
  graphql: 'GraphQL (Yoga + Pothos + TypeORM)',
  'graphql-lifted': 'GraphQL, cost cap lifted (diagnostic)',
  baseline: 'baseline (pg + node:http)',
};
type ChildMessage = { type: 'listening'; port: number } | { type: 'stats'; cpuMs: number; requests: number };
interface ServerStats {
  cpuMs: number;
  requests: number;
}

async function serve(kind: ServerKind, url: string, storeId: string): Promise<void> {
  uiStoreId = storeId;
  const closers: Array<() => Promise<void>> = [];
  let server;
  if (kind !== 'baseline') {
    if (kind === 'graphql-lifted') await liftCostLimit();
    const db = createDataSource({ url, poolSize: POOL_SIZE });
    await db.initialize();
    closers.push(() => db.destroy());
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-bench-api-'));
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const services = createServices(db, testSecrets, { dataDir });
    // Logs as main.ts does at the default LOG_LEVEL (info: a line per request), to /dev/null instead
    // of stdout, written as pino writes stdout (asynchronously, lines that wait go out together).
    const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
    server = createServer(createApp({ services, logger }));
  } else {
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
    closers.push(() => pool.end());
    server = createServer(baselineHandler(pool));
  }
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  // CPU time of this process (user + system) and requests served, so the parent can divide.
  let requests = 0;
  listening.on('request', () => void requests++);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'stats', cpuMs: (user + system) / 1000, requests } satisfies ChildMessage);
      return;
    }
    if (message.type !== 'stop') return;
    listening.closeAllConnections();
    listening.close(() => {
      void (async () => {
        for (const close of closers.reverse()) await close();
        process.exit(0);
      })();
    });
  });
  process.send!({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies ChildMessage);
}

interface RunningServer {
  url: string;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

async function startServer(kind: ServerKind, dbUrl: string, storeId: string): Promise<RunningServer> {
  const profileDir = process.env.BENCH_API_CPU_PROF;
  const child: ChildProcess = fork(import.meta.filename, ['--serve', kind, dbUrl, storeId], {
    execArgv: [
      '--import',
      'tsx/esm',
      ...(profileDir
        ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${kind}.cpuprofile`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: ChildMessage) => {
      if (message.type === 'listening') resolve(message.port);
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code} before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stats: () =>
      new Promise<ServerStats>((resolve) => {
        child.once('message', (message: ChildMessage) => {
          if (message.type === 'stats') resolve(message);
        });
        child.send({ type: 'stats' });
      }),
    stop: async () => {
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement.

/** Counts the SQL statements of one GraphQL request, in this process, with a TypeORM logger. */
async function sqlOfOneGraphQLRequest(dbUrl: string, token: string, body: string): Promise<string[]> {
  const statements: string[] = [];
  const logger: TypeOrmLogger = {
    logQuery: (query) => void statements.push(query.replace(/\s+/g, ' ')),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  const db = createDataSource({ url: dbUrl, poolSize: 2, logger });
  await db.initialize();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-bench-api-'));
  try {
    const app = createApp({
      services: createServices(db, testSecrets, { dataDir }),
      logger: createLogger('warn'),
    });
    const request = () =>
      app.fetch('http://bench/graphql', {
        method: 'POST',
        headers: requestHeaders(token),
        body,
      });
    await (await request()).text(); // the first request also builds caches
    statements.length = 0;
    const response = await request();
    if (response.status !== 200)
      throw new Error(`GraphQL answered ${response.status}: ${await response.text()}`);
    await response.text();
    return [...statements];
  } finally {
    await db.destroy();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Every page is asked for as the web server forwards the web app's requests. */
const requestHeaders = (token: string) => ({
  'content-type': 'application/json',
  accept: UI_LIST_REQUEST.accept,
  authorization: `Bearer ${token}`,
  'x-forwarded-for': '127.0.0.1',
});

async function fetchBody(url: string, token: string, body = LITERAL_BODY): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: requestHeaders(token), body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

interface Row {
  server: string;
  'req/s': number | string;
  'p50 ms': number | string;
  'p99 ms': number | string;
  errors: number | string;
  'server CPU ms/req': number | string;
}

/** The first error message of a GraphQL response, or null. */
function refusalOf(body: string): string | null {
  const { errors } = JSON.parse(body) as { errors?: Array<{ message: string }> };
  return errors?.[0]?.message ?? null;
}

async function load(
  name: string,
  server: RunningServer,
  token: string,
  body: string,
  expectBody: string,
): Promise<Row> {
  const options = {
    url: server.url,
    connections: CONNECTIONS,
    method: 'POST' as const,
    headers: requestHeaders(token),
    body,
    expectBody,
  };
  await autocannon({ ...options, duration: WARMUP_S });
  const before = await server.stats();
  const result = await autocannon({ ...options, duration: DURATION_S });
  const after = await server.stats();
  return {
    server: name,
    'req/s': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    // Connection errors, timeouts, non-2xx and bodies that differ from the checked one.
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
    'server CPU ms/req': Number(
      ((after.cpuMs - before.cpuMs) / (after.requests - before.requests)).toFixed(2),
    ),
  };
}

/** The web app's list page is right: its page of stores, newest first, the total, a next page. */
function checkUiList(body: string): void {
  const page = JSON.parse(body) as {
    errors?: unknown;
    data?: {
      vectorStores: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean };
        edges: Array<{ node: { name: string } }>;
      };
    };
  };
  if (page.errors || !page.data) throw new Error(`Wrong list page: ${body.slice(0, 1000)}`);
  const { totalCount, pageInfo, edges } = page.data.vectorStores;
  const names = edges.map((edge) => edge.node.name);
  const expected = Array.from({ length: UI_LIST_VARIABLES.first }, (_, i) => `Store ${i + 1}`);
  if (totalCount !== STORES || !pageInfo.hasNextPage || !isDeepStrictEqual(names, expected)) {
    throw new Error(`Wrong list page: ${body.slice(0, 1000)}`);
  }
}

/** The web app's store page is right: the store, and its 20 files oldest first, on one page. */
function checkUiStore(body: string): void {
  const page = JSON.parse(body) as {
    errors?: unknown;
    data?: {
      vectorStore: {
        name: string;
        expirationPolicy: { days: number | null };
        files: { pageInfo: { hasNextPage: boolean }; edges: Array<{ node: { file: { filename: string } } }> };
      } | null;
    };
  };
  const store = page.data?.vectorStore;
  const filenames = store?.files.edges.map((edge) => edge.node.file.filename);
  const expected = Array.from(
    { length: FILES_PER_STORE },
    (_, j) => `document-${j + 1}.${['pdf', 'md', 'txt', 'docx'][(j + 1) % 4]}`,
  );
  if (
    page.errors ||
    !store ||
    store.name !== UI_STORE_NAME ||
    store.expirationPolicy.days !== 30 ||
    store.files.pageInfo.hasNextPage ||
    !isDeepStrictEqual(filenames, expected)
  ) {
    throw new Error(`Wrong store page: ${body.slice(0, 1000)}`);
  }
}

/** The page is right: 50 stores, newest first, the total, counts that add up, 5 files each. */
function checkPage(name: PageName, body: string): void {
  if (name === 'ui-list') {
    checkUiList(body);
    return;
  }
  if (name === 'ui-store') {
    checkUiStore(body);
    return;
  }
  const page = JSON.parse(body) as {
    errors?: unknown;
    data: {
      vectorStores: {
        totalCount: number;
        edges: Array<{
          node: {
            name: string;
            fileCounts: Record<string, number>;
            files: { edges: Array<{ node: { file: { filename: string; bytes: number } } }> };
          };
        }>;
      };
    };
  };
  if (page.errors || !page.data) throw new Error(`Wrong page: ${body.slice(0, 1000)}`);
  const problems: string[] = [];
  const stores = page.data.vectorStores;
  if (stores.totalCount !== STORES) problems.push(`totalCount ${stores.totalCount}`);
  if (stores.edges.length !== PAGE_SIZE) problems.push(`${stores.edges.length} edges`);
  stores.edges.forEach(({ node }, i) => {
    if (node.name !== `Store ${i + 1}`) problems.push(`edge ${i} is ${node.name}`);
    const { inProgress, completed, failed, cancelled, total } = node.fileCounts;
    if (total !== FILES_PER_STORE || inProgress! + completed! + failed! + cancelled! !== total) {
      problems.push(`${node.name} counts ${JSON.stringify(node.fileCounts)}`);
    }
    const files = node.files.edges;
    if (
      files.length !== FIRST_FILES ||
      files.some(
        (f, j) => f.node.file.filename !== `document-${j + 1}.${['pdf', 'md', 'txt', 'docx'][(j + 1) % 4]}`,
      )
    ) {
      problems.push(`${node.name} files ${JSON.stringify(files)}`);
    }
  });
  if (problems.length > 0) throw new Error(`Wrong page: ${problems.slice(0, 5).join('; ')}`);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** What one GraphQL server is sent for a page, and the answer every response must equal. */
interface Measured {
  kind: ServerKind;
  server: RunningServer;
  label: string;
  body: string;
  expected: string;
}

/**
 * The GraphQL request of a page on one server, checked and equal to the baseline's answer (same fields,
 * nesting, ids, cursors). Should the app refuse issue 6's literal query (GraphQL Armor's cost limit
 * multiplies literal `first` arguments), the same page is measured with the sizes as variables, and
 * failing that on an app with the cost cap lifted; the web app's own documents must never be refused.
 */
async function graphqlRequestOf(
  page: PageName,
  kind: ServerKind,
  server: RunningServer,
  dbUrl: string,
  storeId: string,
  token: string,
  pageBody: string,
  baselineBody: string,
  servers: RunningServer[],
): Promise<Measured & { refusal: string | null }> {
  let measured: Measured = { kind, server, label: VARIANT_LABELS[kind], body: pageBody, expected: '' };
  measured.expected = await fetchBody(server.url, token, pageBody);
  const refusal = refusalOf(measured.expected);
  if (refusal && page !== 'issue-6')
    throw new Error(`${VARIANT_LABELS[kind]} refuses the web app's ${page} document: ${refusal}`);
  if (refusal) {
    measured = { ...measured, label: `${measured.label}, first/files as variables`, body: VARIABLES_BODY };
    measured.expected = await fetchBody(server.url, token, VARIABLES_BODY);
  }
  if (refusal && refusalOf(measured.expected)) {
    const lifted = await startServer('graphql-lifted', dbUrl, storeId);
    servers.push(lifted);
    measured = {
      kind: 'graphql-lifted',
      server: lifted,
      label: VARIANT_LABELS['graphql-lifted'],
      body: LITERAL_BODY,
      expected: await fetchBody(lifted.url, token, LITERAL_BODY),
    };
    await liftCostLimit(); // for the SQL count, in this process
  }
  checkPage(page, measured.expected);
  if (!isDeepStrictEqual(JSON.parse(baselineBody), JSON.parse(measured.expected))) {
    throw new Error(
      `${measured.label}'s ${page} page differs from the baseline's:\n${measured.expected.slice(0, 800)}\n${baselineBody.slice(0, 800)}`,
    );
  }
  return { ...measured, refusal };
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchApi(): Promise<void> {
  const started = performance.now();
  const name = `vs_bench_api_${randomBytes(6).toString('hex')}`;
  const dbUrl = `${POSTGRES_URL}/${name}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const servers: RunningServer[] = [];
  try {
    const db = createDataSource({ url: dbUrl, poolSize: 2 });
    await db.initialize();
    let token: string;
    let accountId: string;
    try {
      await db.runMigrations();
      accountId = (await createAccount(db, { name: 'Bench' })).id;
      token = await createToken(db, accountId, 'VIEWER');
    } finally {
      await db.destroy();
    }
    const seedStarted = performance.now();
    await seed(dbUrl, accountId);
    const seedMs = performance.now() - seedStarted;
    const storeId = await (async () => {
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: string }>(`SELECT id FROM vector_store WHERE name = $1`, [
          UI_STORE_NAME,
        ]);
        return rows[0]!.id;
      } finally {
        await client.end();
      }
    })();
    console.log(
      `API: seeded ${STORES.toLocaleString('en')} stores and ${(STORES * FILES_PER_STORE).toLocaleString('en')} Files in ${seedMs.toFixed(0)} ms; ` +
        `${CONNECTIONS} connections for ${DURATION_S} s after ${WARMUP_S} s of warm-up, ${ROUNDS} alternating rounds; ` +
        `servers in child processes, autocannon in this one`,
    );

    const baseline = await startServer('baseline', dbUrl, storeId);
    servers.push(baseline);
    const variants: RunningServer[] = [];
    for (const kind of VARIANTS) {
      const server = await startServer(kind, dbUrl, storeId);
      servers.push(server);
      variants.push(server);
    }

    let missed = false;
    for (const page of PAGES) {
      const pageBody =
        page === 'ui-list' ? UI_LIST_BODY : page === 'ui-store' ? uiStoreBody(storeId) : LITERAL_BODY;
      const baselineUrl = new URL(`/${page}`, baseline.url).href;
      const baselineServer: RunningServer = { ...baseline, url: baselineUrl };
      const baselineBody = await fetchBody(baselineUrl, token, pageBody);
      checkPage(page, baselineBody);
      const measured: Array<Measured & { refusal: string | null }> = [];
      for (const [i, kind] of VARIANTS.entries()) {
        measured.push(
          await graphqlRequestOf(
            page,
            kind,
            variants[i]!,
            dbUrl,
            storeId,
            token,
            pageBody,
            baselineBody,
            servers,
          ),
        );
      }
      const statements = await sqlOfOneGraphQLRequest(dbUrl, token, measured[0]!.body);

      // One after the other, so none competes with another for the 2 cores; in alternating rounds, so
      // that a slow spell of this shared machine weighs on all servers alike. Each round's ratio
      // compares neighbours in time; the verdict is on the median round.
      const rows: Row[] = [];
      const rounds = measured.map(() => [] as Array<{ throughput: number; p99: number; errors: number }>);
      for (let round = 1; round <= ROUNDS; round++) {
        const base = await load(
          `baseline (pg + node:http), round ${round}`,
          baselineServer,
          token,
          pageBody,
          baselineBody,
        );
        rows.push(base);
        for (const [i, m] of measured.entries()) {
          const gql = await load(`${m.label}, round ${round}`, m.server, token, m.body, m.expected);
          rows.push(gql);
          rounds[i]!.push({
            throughput: (gql['req/s'] as number) / (base['req/s'] as number),
            p99: (gql['p99 ms'] as number) / (base['p99 ms'] as number),
            errors: (gql.errors as number) + (base.errors as number),
          });
        }
      }
      const describe =
        page === 'ui-list'
          ? `the web app's store list document (VectorStores, variables ${JSON.stringify(UI_LIST_VARIABLES)})`
          : page === 'ui-store'
            ? `the web app's store page document (VectorStore, '${UI_STORE_NAME}', filesFirst ${UI_STORE_FILES_PAGE_SIZE})`
            : `page of ${PAGE_SIZE} stores with fileCounts and files(first: ${FIRST_FILES})`;
      console.log(
        `\nAPI [${page}]: ${describe} (${measured[0]!.expected.length.toLocaleString('en')} bytes)`,
      );
      if (measured[0]!.refusal)
        console.log(
          `API [${page}]: MISS: the app refuses the literal query of the issue: ${measured[0]!.refusal}`,
        );
      console.log(`API [${page}]: SQL per GraphQL request: ${statements.length}`);
      for (const statement of statements)
        console.log(`  - ${statement.slice(0, 160)}${statement.length > 160 ? '…' : ''}`);
      console.table(rows);
      for (const [i, m] of measured.entries()) {
        const perVariant = rounds[i]!;
        const throughput = median(perVariant.map((r) => r.throughput));
        const p99 = median(perVariant.map((r) => r.p99));
        const errors = perVariant.reduce((sum, r) => sum + r.errors, 0);
        const perRound = (pick: (r: (typeof perVariant)[number]) => string) =>
          perVariant.map(pick).join(', ');
        const verdict = (met: boolean) => {
          if (!met || errors > 0) missed = true;
          return met && errors === 0 ? 'PASS' : 'MISS';
        };
        console.log(
          `API [${page}] ${m.label}: per round, throughput ${perRound((r) => `${(r.throughput * 100).toFixed(0)}%`)} of baseline; p99 ${perRound((r) => `${r.p99.toFixed(2)}×`)}`,
        );
        console.log(
          `API [${page}] ${m.label}: throughput = ${(throughput * 100).toFixed(1)}% of baseline, median of ${ROUNDS} rounds (target ≥ ${TARGET_THROUGHPUT_RATIO * 100}%): ${verdict(throughput >= TARGET_THROUGHPUT_RATIO)}; ` +
            `p99 = ${p99.toFixed(2)}× baseline (target ≤ ${TARGET_P99_RATIO}×): ${verdict(p99 <= TARGET_P99_RATIO)}`,
        );
      }
    }
    for (const server of servers.splice(0)) await server.stop();
    const [load1] = os.loadavg();
    console.log(
      `API: 1-minute load average at the end: ${load1!.toFixed(1)} on ${os.availableParallelism()} cores (other work on the machine skews every row)`,
    );
    console.log(
      `API: ${missed ? 'MISS' : 'PASS'}; done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    for (const server of servers) await server.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

if (import.meta.filename === process.argv[1]) {
  if (process.argv[2] === '--serve')
    await serve(process.argv[3] as ServerKind, process.argv[4]!, process.argv[5]!);
  else await benchApi();
}
