import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded-postgres.ts';
import { children, graphql, startServer, waitForHealth } from './support/server-process.ts';

let dataDir: string;

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the server process with nothing configured', () => {
  it('runs embedded PostgreSQL and the emulator, prints a token once, and keeps data across restarts', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-main-'));
    const port = await freePort();
    const env = {
      PORT: String(port),
      EMULATOR_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      SYNC_SCHEDULE: '0 0 1 1 *',
    };

    const first = await startServer(env);
    await waitForHealth(port, first.exited);
    const token = first.output().match(/Admin token \(shown once, keep it\): (\S+)/)?.[1];
    expect(token).toBeDefined();
    expect(first.output()).toMatch(/built-in OpenAI emulator/);
    const viewer = await graphql(port, token!, '{ viewer { role account { emulated syncSchedule } } }');
    expect(viewer.data.viewer).toEqual({
      role: 'ADMIN',
      account: { emulated: true, syncSchedule: '0 0 1 1 *' },
    });
    const created = await graphql(
      port,
      token!,
      'mutation { createVectorStore(input: { name: "Kept" }) { __typename } }',
    );
    expect(created.data.createVectorStore.__typename).toBe('VectorStorePayload');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startServer(env);
    await waitForHealth(port, second.exited);
    expect(second.output()).not.toMatch(/Admin token/);
    const stores = await graphql(
      port,
      token!,
      '{ vectorStores(filter: { source: PRIMARY }) { edges { node { name } } } }',
    );
    // The first start on the emulator added local demo stores beside the one this test made.
    expect(stores.data.vectorStores.edges.map((edge: any) => edge.node.name).sort()).toEqual([
      'Drafts (local)',
      'Kept',
      'Onboarding notes',
    ]);
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

  // Root's home is 0700: PostgreSQL's unprivileged user cannot enter a DATA_DIR under it.
  it.runIf(process.getuid?.() === 0)(
    'as root, keeps the database where PostgreSQL can reach it when DATA_DIR is in a private folder',
    async () => {
      const privateDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-private-'));
      await chmod(privateDir, 0o700);
      const privateData = path.join(privateDir, 'data');
      const port = await freePort();
      const env = { PORT: String(port), EMULATOR_PORT: String(await freePort()), DATA_DIR: privateData };
      try {
        const first = await startServer(env);
        await waitForHealth(port, first.exited);
        const kept = first.output().match(/the database is kept in (\S+)/)?.[1];
        expect(kept).toMatch(/^\/var\/lib\/vs-align\//);
        const token = first.output().match(/Admin token \(shown once, keep it\): (\S+)/)![1]!;
        await graphql(
          port,
          token,
          'mutation { createVectorStore(input: { name: "Private" }) { __typename } }',
        );
        first.child.kill('SIGINT');
        expect(await first.exited).toBe(0);

        const second = await startServer(env);
        await waitForHealth(port, second.exited);
        const stores = await graphql(
          port,
          token,
          '{ vectorStores(filter: { source: PRIMARY, search: "Private" }) { totalCount } }',
        );
        expect(stores.data.vectorStores.totalCount).toBe(1);
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
        await rm(path.dirname(kept!), { recursive: true, force: true });
      } finally {
        await rm(privateDir, { recursive: true, force: true });
      }
    },
  );

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
