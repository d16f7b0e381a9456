import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { createToken } from '../factories/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { children } from '../support/server-process.ts';
import { createConnectedAccount, startReplicas, type Replica } from './cluster.ts';

// Long windows, so that the whole test runs inside one: the totals below are exact.
const BURST = 30;
const UNAUTHENTICATED_PER_MINUTE = 12;

let database: TestDatabase;
let emulator: RunningEmulator;
let replicas: Replica[];
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  emulator = await startEmulator({ port: 0 });
  const account = await createConnectedAccount(database.dataSource, emulator.url, '0 0 1 1 *');
  token = await createToken(database.dataSource, account.id, 'VIEWER');
  replicas = await startReplicas(2, {
    databaseUrl: database.url,
    openaiBaseUrl: emulator.url,
    openaiApiKey: account.apiKey,
    env: {
      RATE_LIMIT_PER_SECOND: '1',
      RATE_LIMIT_BURST: String(BURST),
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: String(UNAUTHENTICATED_PER_MINUTE),
      RUN_JOBS: 'false',
    },
  });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await emulator?.close();
  await database?.drop();
});

/** Sends `count` requests, alternating between the replicas, and counts the answers by status. */
async function spread(count: number, bearer: string | null): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  for (let i = 0; i < count; i++) {
    const response = await fetch(`http://127.0.0.1:${replicas[i % 2]!.port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  }
  return statuses;
}

describe('rate limits across two replicas on one PostgreSQL', () => {
  it('hold per token in total, not per replica', async () => {
    expect(await spread(BURST * 2, token)).toEqual({ 200: BURST, 429: BURST });
  });

  it('hold per client address for requests without a valid token', async () => {
    expect(await spread(UNAUTHENTICATED_PER_MINUTE * 2, 'vsa_guessed-token')).toEqual({
      401: UNAUTHENTICATED_PER_MINUTE,
      429: UNAUTHENTICATED_PER_MINUTE,
    });
  });
});
