import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { placePostgres, prepareDataDir, type PostgresPlacement } from './postgres-placement.ts';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (PostgreSQL is given a fixed port, so a restart keeps its URL). */
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

/** The last lines a child printed, for an error message that says why it stopped. */
class Tail {
  private readonly lines: string[] = [];
  add(chunk: Buffer | string): void {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(line.trim());
      if (this.lines.length > 20) this.lines.shift();
    }
  }
  toString(): string {
    return this.lines.join(' ').slice(-1000);
  }
}

/**
 * Runs one PostgreSQL program as the placement's user. A child that cannot be spawned emits
 * `'error'` (EACCES, ENOENT): every caller turns it into a rejection, never an unhandled event.
 */
function spawnAs(placement: PostgresPlacement, program: string, args: string[]): ChildProcess {
  return spawn(path.join(placement.nativeDir, 'bin', program), args, {
    ...(placement.user ? { uid: placement.user.uid, gid: placement.user.gid } : {}),
    cwd: '/',
    // Its own process group: a Ctrl-C in the terminal reaches the server, which stops PostgreSQL last.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // English messages: readiness is read from the log.
    env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
  });
}

function failure(program: string, placement: PostgresPlacement, why: string): Error {
  const as = placement.user ? ` as user ${placement.user.name}` : '';
  return new Error(`The embedded PostgreSQL did not start (${program}${as}): ${why}`);
}

async function initialise(placement: PostgresPlacement, password: string): Promise<void> {
  await prepareDataDir(placement);
  // initdb reads the superuser password from a file its user can read; removed right after.
  const passwordFile = path.join(os.tmpdir(), `vs-align-pg-${randomBytes(8).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  if (placement.user) await chown(passwordFile, placement.user.uid, placement.user.gid);
  const tail = new Tail();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawnAs(placement, 'initdb', [
        `--pgdata=${placement.dataDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ]);
      child.stdout!.on('data', (chunk) => tail.add(chunk));
      child.stderr!.on('data', (chunk) => tail.add(chunk));
      child.once('error', (error) => reject(failure('initdb', placement, error.message)));
      child.once('close', (code) =>
        code === 0 ? resolve() : reject(failure('initdb', placement, tail.toString() || `exit code ${code}`)),
      );
    });
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Starts the postmaster and resolves once it accepts connections. */
async function startPostmaster(placement: PostgresPlacement, port: number): Promise<ChildProcess> {
  const tail = new Tail();
  const child = spawnAs(placement, 'postgres', [
    '-D',
    placement.dataDir,
    '-p',
    String(port),
    // Not `::1`: PostgreSQL would then bind only [::1] where a system server holds 127.0.0.1.
    '-c',
    'listen_addresses=127.0.0.1',
  ]);
  // Read for as long as it runs: a pipe nobody reads would block PostgreSQL's logging.
  child.stdout!.resume();
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      tail.add(chunk);
      if (chunk.toString().includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', (error) => reject(failure('postgres', placement, error.message)));
    child.once('exit', (code) =>
      reject(failure('postgres', placement, tail.toString() || `exit code ${code}`)),
    );
  });
  return child;
}

/** Fast shutdown (SIGINT), then waits for the postmaster to exit. */
async function stopPostmaster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

/**
 * Starts real PostgreSQL binaries (shipped in an npm package) with data under `rootDir/postgres`,
 * kept across restarts. As root it runs as the unprivileged `postgres` user, from places that user
 * can reach (see `placePostgres`).
 */
export async function startEmbeddedPostgres(
  rootDir: string,
  log: (line: string) => void,
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  await mkdir(rootDir, { recursive: true });
  const placement = await placePostgres(rootDir);
  if (placement.note) log(placement.note);
  const password = await clusterPassword(rootDir);
  await stopLeftoverPostmaster(placement.dataDir);
  // A fixed port lets a restarted server keep its URL (clients reconnect to the same address).
  const port = options.port ?? (await freePort());
  if (!existsSync(path.join(placement.dataDir, 'PG_VERSION'))) {
    log(`Initialising the embedded PostgreSQL in ${placement.dataDir}`);
    await initialise(placement, password);
  }
  const postmaster = await startPostmaster(placement, port);
  // An exit that skips `stop` (a crash, process.exit) still asks PostgreSQL to shut down.
  const stopOnExit = () => postmaster.kill('SIGINT');
  process.once('exit', stopOnExit);
  const admin = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  try {
    const client = new pg.Client({ connectionString: `${admin}/postgres` });
    await client.connect();
    try {
      const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'vs_align'`);
      if (exists.rowCount === 0) await client.query('CREATE DATABASE vs_align');
    } finally {
      await client.end();
    }
  } catch (error) {
    await stopPostmaster(postmaster);
    throw error;
  }
  return {
    url: `${admin}/vs_align`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await stopPostmaster(postmaster);
    },
  };
}
