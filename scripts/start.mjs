// `pnpm start`: builds the web app when its sources changed, then runs the API and the web app
// together, stopping both when either stops or on Ctrl-C.
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

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'build') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const webDir = path.join(root, 'web');
const built = path.join(webDir, 'build', 'index.js');
if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(webDir)) {
  console.log('Building the web app…');
  const build = spawnSync('pnpm', ['--filter', '@vs-align/web', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const children = [];
let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(
    () => process.exit(code),
  );
}

function run(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
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
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const api = run('The API server', ['--import', 'tsx/esm', 'server/src/main.ts'], {
  PORT: apiPort,
  HOST: host,
});
if (await waitForHealth(`http://${host}:${apiPort}/health`, api)) {
  run('The web app', [built], { PORT: webPort, HOST: host, API_URL: `http://${host}:${apiPort}` });
  console.log(
    `\n  VS-ALIGN is running: open http://localhost:${webPort}\n  GraphQL API: http://localhost:${apiPort}/graphql\n`,
  );
}
