import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, dropDatabase, withClient } from './support/db.ts';
import { seedStores } from './support/seed.ts';

/**
 * Everything the specs need, started from nothing: a fresh build of the web app, a fresh database, the
 * API server and the built web app on free ports. Specs read the addresses from E2E_* variables.
 * Returns the teardown, which stops both processes and drops the database.
 */

const webDir = fileURLToPath(new URL('..', import.meta.url));
const serverDir = path.resolve(webDir, '../server');
const logDir = path.join(webDir, 'test-results', 'e2e-logs');
/** Set by the teardown: exits after it are expected and not reported. */
let stopping = false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

function build(): void {
  const vite = path.join(
    path.dirname(fileURLToPath(import.meta.resolve('vite/package.json'))),
    'bin/vite.js',
  );
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('The web app did not build');
}

function start(name: string, args: string[], cwd: string, env: Record<string, string>): ChildProcess {
  const log = openSync(path.join(logDir, `${name}.log`), 'w');
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', log, log],
  });
  child.on('exit', (code, signal) => {
    if (!stopping && code !== 0 && signal === null) {
      console.error(`[e2e] ${name} exited with code ${code}; see test-results/e2e-logs/${name}.log`);
    }
  });
  return child;
}

async function waitFor(name: string, url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const log = readFileSync(path.join(logDir, `${name}.log`), 'utf8');
  throw new Error(`${name} did not become healthy at ${url}:\n${log.slice(-4000)}`);
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
  await exited;
  clearTimeout(timer);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  mkdirSync(logDir, { recursive: true });
  mkdirSync(path.join(webDir, 'e2e', 'artifacts'), { recursive: true });
  build();

  const [apiPort, webPort, emulatorPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const databaseName = `vs_align_e2e_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const adminToken = `e2e-admin-${randomBytes(12).toString('hex')}`;
  const viewerToken = `e2e-viewer-${randomBytes(12).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vs-align-e2e-'));
  let api: ChildProcess | undefined;
  let web: ChildProcess | undefined;

  const teardown = async () => {
    stopping = true;
    await Promise.all([stop(web), stop(api)]);
    await dropDatabase(databaseName).catch((error: Error) =>
      console.error(`[e2e] drop database: ${error.message}`),
    );
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const databaseUrl = await createDatabase(databaseName);
    const apiEnv: Record<string, string> = {
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      ADMIN_TOKEN: adminToken,
      EMULATOR_PORT: String(emulatorPort),
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      // The first start only migrates and creates the default account: no jobs yet.
      RUN_JOBS: 'false',
    };
    if (!existsSync(path.join(serverDir, 'src/emulator/index.ts'))) {
      // The built-in emulator is not there yet: point the account at nothing (no OpenAI call is made).
      apiEnv.OPENAI_API_KEY = 'sk-e2e-dummy';
      apiEnv.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1';
    }
    api = start('api', ['--import', 'tsx/esm', 'src/main.ts'], serverDir, apiEnv);
    await waitFor('api', `http://127.0.0.1:${apiPort}/health`, api);

    await withClient(databaseUrl, async (client) => {
      // The specs' stores replace the local demo stores of a first start on the emulator.
      await client.query(`DELETE FROM vector_store WHERE source = 'primary'`);
      await seedStores(client);
      // A run a day ago: an account never synced would be synced at once when the jobs start, and
      // the specs own the data they see.
      await client.query(
        `INSERT INTO sync_run (account_id, trigger, status, phase, started_at, finished_at)
         SELECT id, 'SCHEDULE', 'SUCCEEDED', 'finished', now() - interval '1 day', now() - interval '1 day'
         FROM account`,
      );
      // The specs own the data they see: no scheduled sync during the run (only the one a spec starts),
      // and the emulator's demo orphan Files (hours old) count as orphans at once.
      await client.query(`UPDATE account SET sync_schedule = '0 0 1 1 *', orphan_grace_hours = 0`);
      // A viewer token of the default account (tokens are stored as their SHA-256 in hex).
      await client.query(
        `INSERT INTO api_token (account_id, name, role, token_hash)
         SELECT id, 'e2e viewer', 'VIEWER', $1 FROM account ORDER BY created_at LIMIT 1`,
        [createHash('sha256').update(viewerToken).digest('hex')],
      );
    });

    // Restart with the jobs on: the deletion queue's worker deletes mirrors in OpenAI (the emulator,
    // reseeded with its demo data by the restart). The account's schedule is now yearly.
    await stop(api);
    api = start('api', ['--import', 'tsx/esm', 'src/main.ts'], serverDir, { ...apiEnv, RUN_JOBS: 'true' });
    await waitFor('api', `http://127.0.0.1:${apiPort}/health`, api);

    web = start('web', ['build/index.js'], webDir, {
      PORT: String(webPort),
      HOST: '127.0.0.1',
      API_URL: `http://127.0.0.1:${apiPort}`,
    });
    await waitFor('web', `http://127.0.0.1:${webPort}/sign-in`, web);

    process.env.E2E_BASE_URL = `http://127.0.0.1:${webPort}`;
    process.env.E2E_WEB_PORT = String(webPort);
    process.env.E2E_ADMIN_TOKEN = adminToken;
    process.env.E2E_VIEWER_TOKEN = viewerToken;
    process.env.E2E_DATABASE_URL = databaseUrl;
    process.env.E2E_EMULATOR_URL = `http://127.0.0.1:${emulatorPort}`;
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
