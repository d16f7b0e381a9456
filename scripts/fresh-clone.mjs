// A new user's first contact, as the README tells it: a fresh clone, `pnpm install`, `pnpm start`
// with nothing configured. Shared by the new-user browser test and the start-up benchmark.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Variables a configured machine may carry; the README's commands run with none of them. */
const CONFIGURATION = [
  'DATABASE_URL',
  'DATA_DIR',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_PROJECT',
  'ADMIN_TOKEN',
  'SECRET_KEY',
  'METRICS_TOKEN',
  'SYNC_SCHEDULE',
  'RUN_JOBS',
  'HOST',
  'API_URL',
];

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(command, args, cwd, env) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

/**
 * `git clone` of this repository's HEAD into a new folder of the given mode (0o700 is what root's
 * home looks like), then `pnpm install --frozen-lockfile` (the local store makes it quick).
 */
export function cloneAndInstall(mode) {
  const parent = mkdtempSync(path.join(tmpdir(), 'vs-align-new-user-'));
  chmodSync(parent, mode);
  const dir = path.join(parent, 'vs-align');
  const env = userEnvironment({});
  run('git', ['clone', '--quiet', repoRoot, dir], parent, env);
  run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], dir, env);
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** The environment of a new user: this one without any of the product's configuration. */
function userEnvironment(ports) {
  const env = { ...process.env };
  for (const name of CONFIGURATION) delete env[name];
  return { ...env, ...ports };
}

/**
 * Runs `pnpm start` in `dir` on its own ports, in its own process group (Ctrl-C reaches a whole
 * group). `ready` resolves once the product says it is running.
 */
export async function startProduct(dir) {
  const ports = { PORT: await freePort(), WEB_PORT: await freePort(), EMULATOR_PORT: await freePort() };
  const child = spawn('pnpm', ['start'], {
    cwd: dir,
    env: userEnvironment(Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)]))),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    const read = (chunk) => {
      output += chunk;
      if (output.includes('VS-ALIGN is running')) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then((code) =>
      reject(new Error(`pnpm start exited (${code}) before it was running:\n${output}`)),
    );
  });
  ready.catch(() => {});
  return {
    ports,
    webUrl: `http://127.0.0.1:${ports.WEB_PORT}`,
    output: () => output,
    ready,
    /** The admin token printed by a first start. */
    token: () => output.match(/Admin token \(shown once, keep it\): (\S+)/)?.[1] ?? null,
    /** Where the database is kept when the checkout is out of PostgreSQL's reach. */
    keptDatabase: () => output.match(/the database is kept in (\S+?)["\s]/)?.[1] ?? null,
    /** Ctrl-C: SIGINT to the whole group, then waits until every process of the group is gone. */
    async interrupt() {
      signalGroup(child.pid, 'SIGINT');
      const code = await exited;
      for (let i = 0; i < 300 && signalGroup(child.pid, 0); i++) await new Promise((r) => setTimeout(r, 100));
      return code;
    },
    kill: () => signalGroup(child.pid, 'SIGKILL'),
  };
}

/** Sends a signal to a process group; false when the group has no process left. */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Polls the web app as a signed-in browser would until its store list names `storeName`. */
export async function waitForStoreList(webUrl, token, storeName, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const html = await fetch(`${webUrl}/`, { headers: { cookie: `vs_align_token=${token}` } }).then(
      (response) => (response.ok ? response.text() : ''),
      () => '',
    );
    if (html.includes(storeName)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`The store list did not show "${storeName}" within ${timeoutMs} ms`);
}
