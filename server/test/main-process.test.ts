import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded-postgres.ts';

const serverDir = path.resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
let dataDir: string;

/** Starts `src/main.ts` as `pnpm start` does, with no DATABASE_URL and no OpenAI key. */
async function startServer(env: Record<string, string>) {
  const { DATABASE_URL: _db, OPENAI_API_KEY: _key, OPENAI_BASE_URL: _url, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...inherited, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

async function waitForHealth(port: number, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('The server exited before it was healthy');
}

async function graphql(port: number, token: string, query: string) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return response.json() as Promise<{ data: Record<string, any> }>;
}

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the server process with nothing configured', () => {
  it('runs embedded PostgreSQL and the emulator, prints a token once, and keeps data across restarts', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-main-'));
    const port = await freePort();
    const env = { PORT: String(port), EMULATOR_PORT: String(await freePort()), DATA_DIR: dataDir };

    const first = await startServer(env);
    await waitForHealth(port, first.exited);
    const token = first.output().match(/Admin token \(shown once, keep it\): (\S+)/)?.[1];
    expect(token).toBeDefined();
    expect(first.output()).toMatch(/built-in OpenAI emulator/);
    const viewer = await graphql(port, token!, '{ viewer { role account { emulated } } }');
    expect(viewer.data.viewer).toEqual({ role: 'ADMIN', account: { emulated: true } });
    const created = await graphql(port, token!, 'mutation { createVectorStore(input: { name: "Kept" }) { __typename } }');
    expect(created.data.createVectorStore.__typename).toBe('VectorStorePayload');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startServer(env);
    await waitForHealth(port, second.exited);
    expect(second.output()).not.toMatch(/Admin token/);
    const stores = await graphql(port, token!, '{ vectorStores(filter: { source: PRIMARY }) { edges { node { name } } } }');
    expect(stores.data.vectorStores.edges).toEqual([{ node: { name: 'Kept' } }]);
    // A SIGKILLed server leaves its postgres running: the next start must cope.
    second.child.kill('SIGKILL');
    await second.exited;

    const third = await startServer(env);
    await waitForHealth(port, third.exited);
    const again = await graphql(port, token!, '{ vectorStores { totalCount } }');
    expect(again.data.vectorStores.totalCount).toBeGreaterThanOrEqual(1);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });

  it('stops with one clear message when its port is taken', async () => {
    dataDir ??= await mkdtemp(path.join(os.tmpdir(), 'vs-align-main-'));
    const blocker = (await import('node:net')).createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const run = await startServer({
        PORT: String(port),
        EMULATOR_PORT: String(await freePort()),
        DATA_DIR: dataDir,
      });
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(`Port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('stops with one clear message on a malformed DATABASE_URL', async () => {
    const run = await startServer({ DATABASE_URL: 'not a url', PORT: String(await freePort()) });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('DATABASE_URL must be a URL');
  });
});
