import { Batcher } from './batcher.ts';
import type { MirrorWriter } from './mirror-writer.ts';
import type { VectorStoreFile } from './remote-reader.ts';

interface Item {
  vectorStoreId: string;
  files: VectorStoreFile[];
  /** Set on a store's last page: the complete listing and the summary it answered for. */
  complete: { listed: string[]; summary: string } | null;
}

export interface StoreFilesResult {
  created: number;
  updated: number;
  removed: number;
}

/**
 * Writes the pages of store files that concurrent listings produce, batched across stores (see
 * Batcher), three batches at a time: each batch is three statements however many stores it carries.
 * A store pushes its next page only when the previous one is committed, so the sweep that rides on
 * its last page always follows the writes of all its pages.
 */
export class StoreFilesWriter {
  private readonly batcher: Batcher<Item, StoreFilesResult>;

  constructor(writer: MirrorWriter) {
    this.batcher = new Batcher(
      async (items) => {
        // Placeholders first, in a statement of their own: the link upsert then sees every File row,
        // including those another statement inserted concurrently (one snapshot would miss them).
        await writer.ensureFiles(items.flatMap((item) => item.files));
        const links = await writer.upsertLinks(
          items.flatMap((item) => item.files.map((file) => ({ vectorStoreId: item.vectorStoreId, file }))),
        );
        // Sweeps come after the upserts, so a store's last page is in before its other links go.
        const removed = await writer.finishStores(
          items.flatMap((item) =>
            item.complete ? [{ vectorStoreId: item.vectorStoreId, ...item.complete }] : [],
          ),
        );
        return items.map((item) => ({
          created: 0,
          updated: 0,
          ...links.get(item.vectorStoreId),
          removed: removed.get(item.vectorStoreId) ?? 0,
        }));
      },
      64,
      3,
    );
  }

  /**
   * Writes one page of a store's files. With `complete` (its last page): then removes the store's
   * links the listing did not contain and records the summary, in the same batch.
   */
  write(
    vectorStoreId: string,
    files: VectorStoreFile[],
    complete: { listed: string[]; summary: string } | null,
  ): Promise<StoreFilesResult> {
    return this.batcher.push({ vectorStoreId, files, complete });
  }
}
