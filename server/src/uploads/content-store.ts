import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StagedUpload } from './staged-upload.ts';

/**
 * File contents of local stores, addressed by SHA-256 under `<dataDir>/files/ab/abcdef…`: the same
 * content uploaded twice is kept once.
 */
export class ContentStore {
  readonly tempDir: string;
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'files');
    // Inside the data directory, so that adopting an upload is a rename on the same file system.
    this.tempDir = path.join(dataDir, 'uploads-tmp');
  }

  pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /**
   * Moves a staged upload into place; a duplicate of stored content is simply dropped. Returns whether
   * the content is new (so a failed commit knows to remove it again).
   */
  async adopt(upload: StagedUpload): Promise<boolean> {
    if (!upload.tempPath) throw new Error('The upload has no content to keep');
    const target = this.pathOf(upload.sha256);
    if (await this.has(upload.sha256)) {
      await rm(upload.tempPath, { force: true });
      return false;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(upload.tempPath, target);
    return true;
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  /**
   * Removes temporary files left by a process that died mid-upload. Replicas may share `DATA_DIR`, so
   * only files untouched for `idleMs` go: a live upload writes its file continuously. Returns how many.
   */
  async sweepTemp(idleMs: number, now = Date.now()): Promise<number> {
    const names = await readdir(this.tempDir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const target = path.join(this.tempDir, name);
      const info = await stat(target).catch(() => null);
      if (!info || now - info.mtimeMs < idleMs) continue;
      await rm(target, { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }
}
