import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { freePort } from '../../src/db/embedded-postgres.ts';
import { AccountService } from '../../src/services/account.service.ts';
import { createAccount, testSecrets } from '../factories/index.ts';
import { startServer, waitForHealth } from '../support/server-process.ts';

/** One server process of a cluster, on its own port. */
export interface Replica {
  port: number;
  child: Awaited<ReturnType<typeof startServer>>['child'];
  /** The exit code, or null when killed by a signal. */
  exited: Promise<number | null>;
  output(): string;
}

/** The environment every replica of a test shares: one database, one OpenAI (the emulator). */
export interface ClusterOptions {
  databaseUrl: string;
  openaiBaseUrl: string;
  /** The default account's key (it adopts the oldest account of the database). */
  openaiApiKey: string;
  adminToken?: string;
  env?: Record<string, string>;
}

export const newAdminToken = () => `admin-${randomBytes(12).toString('hex')}`;

/** Starts `count` server processes side by side (each `pnpm start` alone: no web app, no emulator). */
export async function startReplicas(count: number, options: ClusterOptions): Promise<Replica[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-scale-'));
  const replicas: Replica[] = [];
  for (let i = 0; i < count; i++) replicas.push(await startReplica(options, dataDir));
  await Promise.all(replicas.map((replica) => waitForHealth(replica.port, replica.exited)));
  return replicas;
}

async function startReplica(options: ClusterOptions, dataDir: string): Promise<Replica> {
  const port = await freePort();
  const started = await startServer({
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: dataDir,
    SECRET_KEY: 'test-secret-test-secret-test-secret',
    OPENAI_API_KEY: options.openaiApiKey,
    OPENAI_BASE_URL: options.openaiBaseUrl,
    ADMIN_TOKEN: options.adminToken ?? newAdminToken(),
    LOG_LEVEL: 'info',
    SYNC_CONCURRENCY: '4',
    OPENAI_MAX_RPS: '2000',
    RATE_LIMIT_PER_SECOND: '100000',
    RATE_LIMIT_BURST: '100000',
    DEAD_RUN_CHECK_MS: '500',
    QUEUE_LEASE_MS: '3000',
    SHUTDOWN_GRACE_MS: '5000',
    ...options.env,
  });
  return { port, child: started.child, exited: started.exited, output: started.output };
}

/** An account connected to the emulator with its own key. */
export async function createConnectedAccount(
  db: DataSource,
  baseURL: string,
  syncSchedule: string,
): Promise<{ id: string; apiKey: string }> {
  const account = await createAccount(db, { syncSchedule });
  const apiKey = `sk-scale-${randomBytes(8).toString('hex')}`;
  await new AccountService(db, testSecrets).setOpenAIConnection(account.id, {
    apiKey,
    baseURL,
    project: null,
  });
  return { id: account.id, apiKey };
}

export { waitFor } from '../support/wait-for.ts';

export async function graphqlAt<T = any>(
  port: number,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ body: { data?: T; errors?: unknown[] }; headers: Headers }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { body: (await response.json()) as { data?: T; errors?: unknown[] }, headers: response.headers };
}

/**
 * A GraphQL subscription over SSE (Yoga's distinct-connections mode), read with plain fetch. Each
 * `next` payload is passed to `onEvent`; resolves when the server completes the stream.
 */
export async function subscribeSse<T>(
  port: number,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  onEvent: (data: T) => void,
  signal?: AbortSignal,
): Promise<{ completed: boolean }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`Subscription refused: HTTP ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let completed = false;
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(message)?.[1];
        const data = message
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (event === 'complete') completed = true;
        else if (event === 'next' && data) {
          const payload = JSON.parse(data) as { data?: T; errors?: unknown[] };
          if (payload.errors) throw new Error(`Subscription error: ${JSON.stringify(payload.errors)}`);
          onEvent(payload.data as T);
        }
      }
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
  return { completed };
}

/** [started_at, finished_at] of every run of an account, oldest first; a running one ends at +∞. */
export async function runIntervals(
  db: DataSource,
  accountId: string,
): Promise<Array<{ id: string; status: string; start: number; end: number }>> {
  const rows: Array<{ id: string; status: string; started_at: Date; finished_at: Date | null }> =
    await db.query(
      `SELECT id, status, started_at, finished_at FROM sync_run WHERE account_id = $1 ORDER BY started_at, id`,
      [accountId],
    );
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    start: row.started_at.getTime(),
    end: row.finished_at?.getTime() ?? Infinity,
  }));
}

/** Runs that start before an earlier run ended (should be none). */
export function overlaps(intervals: Array<{ id: string; start: number; end: number }>): string[] {
  const found: string[] = [];
  let latest: { id: string; end: number } | null = null;
  for (const run of intervals) {
    if (latest && run.start < latest.end) found.push(`${latest.id} / ${run.id}`);
    if (!latest || run.end > latest.end) latest = run;
  }
  return found;
}
