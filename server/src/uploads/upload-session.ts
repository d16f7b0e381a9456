import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * The temporary files of one multipart request. A file is tracked from the moment it exists (it is
 * created here, exclusively), so whatever path the request takes, `removeAll` leaves nothing behind.
 */
export class UploadSession {
  private readonly tempPaths = new Set<string>();

  constructor(private readonly tempDir: string) {}

  /** Creates a new, empty temporary file and returns it open for writing. */
  async createTempFile() {
    const tempPath = path.join(this.tempDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const handle = await open(tempPath, 'wx', 0o600);
    this.tempPaths.add(tempPath);
    return { tempPath, handle };
  }

  /** Removes every temporary file of the request; an adopted one was renamed away, so it is a no-op. */
  async removeAll(): Promise<void> {
    const paths = [...this.tempPaths];
    this.tempPaths.clear();
    await Promise.all(paths.map((p) => rm(p, { force: true })));
  }
}
