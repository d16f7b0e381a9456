// `pnpm start`: builds the server and the web app when their sources changed, then runs both as
// built JavaScript (no tsx, the same from any folder), stopping both when either stops or on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`VS-ALIGN needs Node 24 (found ${process.version}). See README.md.`);
  process.exit(1);
}

const apiPort = process.env.PORT ?? '4000';
const webPort = process.env.WEB_PORT ?? '3000';
const host = process.env.HOST ?? '127.0.0.1';

/** The newest modification time of the files under `dir`, skipping dependencies and outputs. */
function newestMtime(dir, skip = []) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || skip.includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full, skip) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Runs `pnpm --filter <pkg> build` when the newest output is older than the newest source. */
function buildIfStale(label, pkg, sourceNewest, outputNewest) {
  if (outputNewest >= sourceNewest) return;
  console.log(`Building the ${label}…`);
  const build = spawnSync('pnpm', ['--filter', pkg, 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const serverDir = path.join(root, 'server');
const serverMain = path.join(serverDir, 'dist', 'main.js');
const serverSources = () =>
  Math.max(
    newestMtime(path.join(serverDir, 'src')),
    ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map(
      (f) => statSync(path.join(serverDir, f)).mtimeMs,
    ),
  );
// tsc rewrites every output, so the newest output tells when the last build ran.
const serverBuilt = () => (existsSync(serverMain) ? newestMtime(path.join(serverDir, 'dist')) : 0);
buildIfStale('server', '@vs-align/server', serverSources(), serverBuilt());

const webDir = path.join(root, 'web');
const webMain = path.join(webDir, 'build', 'index.js');
const webBuilt = existsSync(webMain) ? statSync(webMain).mtimeMs : 0;
// Tests and their screenshots are not part of the build.
buildIfStale(
  'web app',
  '@vs-align/web',
  newestMtime(webDir, ['build', 'test-results', 'e2e', 'new-user']),
  webBuilt,
);

const children = [];
let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  // The server bounds its own shutdown (SHUTDOWN_GRACE_MS per step); this is a last resort.
  setTimeout(() => process.exit(code), 60_000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(
    () => process.exit(code),
  );
}

function run(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: 'inherit',
    // Compiled code cached across starts: a warm start loads the modules faster.
    env: {
      NODE_COMPILE_CACHE: path.join(root, 'node_modules', '.cache', 'node-compile-cache'),
      ...process.env,
      ...env,
    },
  });
  child.once('exit', (code) => {
    if (!stopping) {
      console.error(`${name} stopped (exit code ${code}); stopping VS-ALIGN.`);
      stopAll(code || 1);
    }
  });
  children.push(child);
  return child;
}

async function waitForHealth(url, child) {
  for (let i = 0; i < 1200 && child.exitCode === null; i++) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

// Both start at once: the web app only forwards to the API, so it need not wait for it.
const api = run('The API server', [serverMain], { PORT: apiPort, HOST: host });
const web = run('The web app', [webMain], {
  PORT: webPort,
  HOST: host,
  API_URL: `http://${host}:${apiPort}`,
});
const healthy = await Promise.all([
  waitForHealth(`http://${host}:${apiPort}/health`, api),
  waitForHealth(`http://${host}:${webPort}/sign-in`, web),
]);
if (healthy.every(Boolean)) {
  console.log(
    `\n  VS-ALIGN is running: open http://localhost:${webPort}\n  GraphQL API: http://localhost:${apiPort}/graphql\n`,
  );
}
