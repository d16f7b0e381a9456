import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait-for.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncHarness, mirrorState, remoteState, type SyncHarness } from './harness.ts';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let h: SyncHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a sync process killed mid-run', () => {
  it('leaves a RUNNING row that the next start marks FAILED, and the next run converges without duplicates', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 60, filesPerStore: 3, orphanFiles: 5 });
    h.emulator.emulator.setFaults({ latencyMs: 40 });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-cli-'));

    // The real CLI, in its own process, against the same database and emulator.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx/esm', 'src/cli.ts', 'sync', '--account', h.accountId],
      {
        cwd: serverDir,
        env: {
          ...process.env,
          DATABASE_URL: h.database.url,
          SECRET_KEY: 'test-secret-test-secret-test-secret',
          DATA_DIR: dataDir,
          SYNC_CONCURRENCY: '2',
          OPENAI_MAX_RPS: '1000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );

    try {
      // Kill it once it has written part of the mirror.
      const running = await waitFor(async () => {
        const [run] = await h!.db.query(
          `SELECT id, status, stores_done FROM sync_run WHERE account_id = $1`,
          [h!.accountId],
        );
        return run?.status === 'RUNNING' && run.stores_done >= 5 ? run : null;
      }, `a running sync in the child (output: ${output})`);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const [left] = await h.db.query(`SELECT status, stores_done FROM sync_run WHERE id = $1`, [running.id]);
      expect(left.status).toBe('RUNNING');
      expect(left.stores_done).toBeLessThan(60);

      // PostgreSQL drops the dead session's lock as soon as it sees the connection close.
      await waitFor(async () => (await h!.services.sync.markDeadRuns()) > 0, 'the dead run to be marked');
      const [failed] = await h.db.query(`SELECT status, finished_at, errors FROM sync_run WHERE id = $1`, [
        running.id,
      ]);
      expect(failed.status).toBe('FAILED');
      expect(failed.finished_at).not.toBeNull();

      h.emulator.emulator.setFaults({});
      const next = await h.services.sync.runSync({ accountId: h.accountId, trigger: 'MANUAL' });
      expect(next.status).toBe('SUCCEEDED');
      const mirror = await mirrorState(h.db, h.accountId);
      expect(mirror).toEqual(await remoteState(h.openai));
      expect(mirror.stores).toHaveLength(60);
      const [counts] = await h.db.query(
        `SELECT (SELECT count(*)::int FROM vector_store) AS stores, (SELECT count(*)::int FROM file) AS files,
                (SELECT count(*)::int FROM vector_store_file) AS links`,
      );
      expect(counts).toEqual({ stores: 60, files: 185, links: 180 });
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('runs to the end in the CLI and prints the summary', async () => {
    h = await createSyncHarness();
    h.emulator.emulator.seed({ apiKey: h.apiKey, stores: 3, filesPerStore: 2 });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vs-align-cli-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx/esm', 'src/cli.ts', 'sync', '--account', h.accountId],
      {
        cwd: serverDir,
        env: {
          ...process.env,
          DATABASE_URL: h.database.url,
          SECRET_KEY: 'test-secret-test-secret-test-secret',
          DATA_DIR: dataDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
    expect({ code, stderr: stderr.includes('[') }).toEqual({ code: 0, stderr: true });
    expect(stdout).toMatch(/status\s+SUCCEEDED/);
    expect(stdout).toMatch(/stores\s+3 found, 3 created/);
    expect(stdout).toMatch(/files\s+6 read, 6 created/);
    // The CLI's sync is in the account's audit log, naming its run.
    const runId = stdout.match(/run\s+(\S+)/)![1]!;
    const events = await h.database.dataSource.query(
      `SELECT kind, actor_kind, targets, outcome FROM audit_event WHERE account_id = $1`,
      [h.accountId],
    );
    expect(events).toEqual([
      {
        kind: 'START_SYNC',
        actor_kind: 'CLI',
        targets: [
          { type: 'Account', id: h.accountId },
          { type: 'SyncRun', id: runId },
        ],
        outcome: 'SUCCEEDED',
      },
    ]);
  }, 120_000);
});
