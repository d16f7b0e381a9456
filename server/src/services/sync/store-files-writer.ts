import { Batcher } from './batcher.ts';
import type { MirrorWriter } from './mirror-writer.ts';
import type { RemoteVectorStoreFile } from './remote-reader.ts';

interface Item {
  vectorStoreId: string;
  files: RemoteVectorStoreFile[];
  /**
   * Set on a store's last page: the complete listing and the summary it answered for (null when some
   * files could not be read: the store is then listed again next run).
   */
  complete: { listed: string[]; summary: string | null } | null;
}

export interface StoreFilesResult {
  created: number;
  updated: number;
  removed: number;
}

/**
 * Writes the pages of store files that concurrent listings produce, batched across stores (see
 * Batcher), three batches at a time: each batch is one or two statements however many stores it
 * carries. A store pushes its next page only when the previous one is committed, so the sweep that
 * rides on its last page always follows the writes of all its pages.
 */
export class StoreFilesWriter {
  private readonly batcher: Batcher<Item, StoreFilesResult>;

  constructor(writer: MirrorWriter) {
    this.batcher = new Batcher(
      async (items) => {
        // Placeholders for the Files, in a statement of their own: the link statement then sees every
        // File row, including those another statement inserted concurrently (a single statement's
        // snapshot would miss them). Every batch asks (existing rows are left alone): remembering
        // which Files are already written would mean holding every id of the account for the run.
        await writer.ensureFiles(items.flatMap((item) => item.files));
        const written = await writer.writeLinks(
          items.flatMap((item) => item.files.map((file) => ({ vectorStoreId: item.vectorStoreId, file }))),
          items.flatMap((item) =>
            item.complete ? [{ vectorStoreId: item.vectorStoreId, ...item.complete }] : [],
          ),
        );
        return items.map((item) => ({
          created: 0,
          updated: 0,
          removed: 0,
          ...written.get(item.vectorStoreId),
        }));
      },
      64,
      3,
    );
  }

  /**
   * Writes one page of a store's files. With `complete` (its last page): then removes the store's
   * links the listing did not contain and records the summary, in the same statement.
   */
  write(
    vectorStoreId: string,
    files: RemoteVectorStoreFile[],
    complete: { listed: string[]; summary: string | null } | null,
  ): Promise<StoreFilesResult> {
    return this.batcher.push({ vectorStoreId, files, complete });
  }
}
