import type { DataSource } from 'typeorm';
import { RemoteDeletionEntity } from '../../db/entities/remote-deletion.entity.ts';
import { VectorStoreEntity } from '../../db/entities/vector-store.entity.ts';
import { declareMirrorWriter } from '../../db/mirror-writer.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { LocalStoreWriter } from '../local-store-writer.ts';
import { lockStore } from '../store-lock.ts';

export interface DeleteOutcome {
  deletedId: string;
  /** A mirror stays visible as DELETING until OpenAI confirms; a local store is gone at once. */
  vectorStore: VectorStoreEntity | null;
}

/**
 * Deletion requests. Local stores go in one transaction; OpenAI work is put on the durable queue
 * (`remote_deletion`) in the same transaction that marks the mirror DELETING, and a worker does it.
 */
export class DeletionService {
  constructor(
    private readonly db: DataSource,
    private readonly writer: LocalStoreWriter,
    /** Called after a commit that queued work, so a worker can start at once rather than at its next poll. */
    private readonly onQueued: () => void = () => {},
  ) {}

  async deleteVectorStore(accountId: string, id: string): Promise<DeleteOutcome> {
    let unusedContent: string[] = [];
    const outcome = await this.db.transaction(async (manager): Promise<DeleteOutcome> => {
      const store = await lockStore(manager, accountId, id);
      if (store.source === 'primary') {
        unusedContent = await this.writer.deleteStore(manager, accountId, store);
        return { deletedId: store.id, vectorStore: null };
      }
      if (store.status === 'deleting') return { deletedId: store.id, vectorStore: store }; // already queued
      store.status = 'deleting';
      await declareMirrorWriter(manager, 'deletion');
      await manager.getRepository(VectorStoreEntity).update({ id: store.id }, { status: 'deleting' });
      await manager.getRepository(RemoteDeletionEntity).insert({
        accountId,
        kind: 'VECTOR_STORE',
        externalId: store.externalId!,
        vectorStoreId: store.id,
      });
      return { deletedId: store.id, vectorStore: store };
    });
    await this.writer.removeUnusedContent(unusedContent);
    if (outcome.vectorStore) this.onQueued();
    return outcome;
  }

  /**
   * Queues the deletion in OpenAI of Files that are attached to no store of the account. Every id must
   * be such a File (checked on the current mirror), or nothing is queued.
   */
  async deleteOrphanFiles(accountId: string, fileIds: string[]): Promise<number> {
    if (fileIds.length === 0) throw new ValidationError('ids', 'Name at least one file');
    if (fileIds.length > 1000) throw new ValidationError('ids', 'At most 1000 files at a time');
    const queued = await this.db.transaction(async (manager) => {
      const rows: Array<{ id: string; external_id: string; attached: boolean; queued: boolean }> =
        await manager.query(
          `SELECT f.id, f.external_id,
                  EXISTS (SELECT 1 FROM vector_store_file l WHERE l.file_id = f.id) AS attached,
                  EXISTS (SELECT 1 FROM remote_deletion d
                           WHERE d.account_id = f.account_id AND d.kind = 'FILE' AND d.external_id = f.external_id) AS queued
             FROM file f
            WHERE f.account_id = $1 AND f.id = ANY($2) AND f.source = 'cache'
            FOR UPDATE OF f`,
          [accountId, fileIds.filter(isUuid)],
        );
      const found = new Map(rows.map((r) => [r.id, r]));
      for (const [i, id] of fileIds.entries()) {
        const row = found.get(id);
        if (!row) throw new NotFoundError('FileObject', id);
        if (row.attached)
          throw new ValidationError(`ids.${i}`, 'The file is attached to a store: not an orphan');
      }
      const fresh = rows.filter((r) => !r.queued);
      if (fresh.length > 0) {
        await manager.getRepository(RemoteDeletionEntity).insert(
          fresh.map((r) => ({
            accountId,
            kind: 'FILE' as const,
            externalId: r.external_id,
            vectorStoreId: null,
          })),
        );
      }
      return rows.length;
    });
    this.onQueued();
    return queued;
  }

  /** The queue's state for a store being deleted (for the UI: attempts and the last error). */
  async pendingFor(accountId: string, vectorStoreId: string): Promise<RemoteDeletionEntity | null> {
    return this.db.getRepository(RemoteDeletionEntity).findOneBy({ accountId, vectorStoreId });
  }
}
