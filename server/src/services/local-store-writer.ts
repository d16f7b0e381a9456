import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { FileEntity } from '../db/entities/file.entity.ts';
import { VectorStoreFileEntity, type LinkWithFile } from '../db/entities/vector-store-file.entity.ts';
import { VectorStoreEntity } from '../db/entities/vector-store.entity.ts';
import type { ContentStore } from '../uploads/content-store.ts';
import type { StagedUpload } from '../uploads/staged-upload.ts';
import { NotFoundError, ReadOnlyMirrorError, ValidationError } from './errors.ts';
import { isUuid } from './ids.ts';
import { lockStore } from './store-lock.ts';
import {
  expirationColumns,
  policyFromColumn,
  policyFromInput,
  type ExpirationKind,
} from '../domain/expiration.ts';
import { validDescription, validMetadata, validName } from './vector-store-input.ts';

export interface ExpirationPolicyInput {
  kind: ExpirationKind;
  days?: number | null;
}

export interface CreateVectorStoreInput {
  name: string;
  description?: string | null;
  expirationPolicy?: ExpirationPolicyInput | null;
  metadata?: ReadonlyArray<{ key: string; value: string }> | null;
}

/** Absent fields stay as they are; `description: null` clears it. */
export interface UpdateVectorStoreInput {
  name?: string | null;
  description?: string | null;
  expirationPolicy?: ExpirationPolicyInput | null;
  metadata?: ReadonlyArray<{ key: string; value: string }> | null;
}

/** The file types OpenAI's file_search accepts; local stores accept the same. */
export const SUPPORTED_EXTENSIONS = new Set([
  '.c',
  '.cpp',
  '.cs',
  '.css',
  '.doc',
  '.docx',
  '.go',
  '.html',
  '.java',
  '.js',
  '.json',
  '.md',
  '.pdf',
  '.php',
  '.pptx',
  '.py',
  '.rb',
  '.sh',
  '.tex',
  '.ts',
  '.txt',
]);

/**
 * Every edit of a store goes through here, and here alone the read-only rule is enforced: a mirror
 * (`source = cache`) is refused with ReadOnlyMirrorError before anything is written.
 */
export class LocalStoreWriter {
  constructor(
    private readonly db: DataSource,
    private readonly contents: ContentStore,
    private readonly maxUploadBytes: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Locks a store this account may edit: a mirror is refused here, before anything is written. */
  private async lockWritable(manager: EntityManager, accountId: string, id: string, field: string) {
    const store = await lockStore(manager, accountId, id);
    if (store.source === 'cache') throw new ReadOnlyMirrorError(store.id);
    if (store.status === 'deleting') throw new ValidationError(field, 'The store is being deleted');
    return store;
  }

  async create(accountId: string, input: CreateVectorStoreInput): Promise<VectorStoreEntity> {
    const name = validName(input.name);
    const description = validDescription(input.description ?? null);
    const policy = input.expirationPolicy ? policyFromInput(input.expirationPolicy) : policyFromColumn(null);
    const metadata = validMetadata(input.metadata ?? []);
    const now = this.now();
    const repository = this.db.getRepository(VectorStoreEntity);
    // `create` makes an entity instance: the GraphQL node type recognises stores by class.
    const store = repository.create({
      accountId,
      backend: 'local',
      source: 'primary',
      externalId: null,
      name,
      description,
      status: 'completed',
      lastActiveAt: now,
      ...expirationColumns(policy, now),
      metadata,
    });
    return repository.save(store);
  }

  async update(accountId: string, id: string, input: UpdateVectorStoreInput): Promise<VectorStoreEntity> {
    // Validate everything first: a refused input writes nothing.
    const changes: Partial<VectorStoreEntity> = {};
    if (input.name != null) changes.name = validName(input.name);
    if (input.description !== undefined) changes.description = validDescription(input.description);
    const policy = input.expirationPolicy != null ? policyFromInput(input.expirationPolicy) : null;
    if (input.metadata != null) changes.metadata = validMetadata(input.metadata);
    return this.db.transaction(async (manager) => {
      const store = await this.lockWritable(manager, accountId, id, 'id');
      Object.assign(store, changes);
      if (policy) Object.assign(store, expirationColumns(policy, store.lastActiveAt));
      return manager.getRepository(VectorStoreEntity).save(store);
    });
  }

  /** Stores an upload (already streamed to disk) and attaches it to a local store. */
  async addFile(accountId: string, vectorStoreId: string, upload: StagedUpload): Promise<LinkWithFile> {
    if (upload.tooLarge) {
      throw new ValidationError(
        'file',
        `The file is larger than the upload limit of ${this.maxUploadBytes} bytes`,
      );
    }
    if (upload.bytes === 0) throw new ValidationError('file', 'The file is empty');
    const extension = path.extname(upload.filename).toLowerCase();
    if (!SUPPORTED_EXTENSIONS.has(extension)) {
      throw new ValidationError(
        'file',
        `Files of type "${extension || 'none'}" are not supported for search`,
      );
    }
    let addedContent = false;
    const link = await this.db
      .transaction(async (manager) => {
        const store = await this.lockWritable(manager, accountId, vectorStoreId, 'vectorStoreId');
        if (store.status === 'expired') throw new ValidationError('vectorStoreId', 'The store has expired');
        const now = this.now();
        const files = manager.getRepository(FileEntity);
        const file = await files.save(
          files.create({
            accountId,
            source: 'primary',
            externalId: null,
            filename: upload.filename,
            bytes: upload.bytes,
            purpose: 'assistants',
            contentHash: upload.sha256,
            fileCreatedAt: now,
          }),
        );
        const saved = await manager.getRepository(VectorStoreFileEntity).save({
          vectorStoreId: store.id,
          fileId: file.id,
          status: 'completed',
          usageBytes: upload.bytes,
          lastError: null,
          attributes: null,
          chunkingStrategy: {
            type: 'static',
            static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
          },
        });
        await this.touch(manager, store, now);
        // Last step: if it fails, the transaction rolls back and the temp file is deleted with the request.
        addedContent = await this.contents.adopt(upload);
        return Object.assign(saved, { file });
      })
      .catch(async (error: unknown) => {
        // The commit itself failed after the content was moved into place: take it back out, unless a
        // File committed meanwhile uses the same content.
        if (addedContent) await this.removeUnusedContent([upload.sha256]);
        throw error;
      });
    return link;
  }

  /** Detaches a file; a local File no other store uses is deleted, and its content when unshared. */
  async removeFile(accountId: string, vectorStoreId: string, fileId: string): Promise<void> {
    const orphanedHashes = await this.db.transaction(async (manager) => {
      const store = await this.lockWritable(manager, accountId, vectorStoreId, 'vectorStoreId');
      const removed = isUuid(fileId)
        ? await manager.getRepository(VectorStoreFileEntity).delete({ vectorStoreId: store.id, fileId })
        : { affected: 0 };
      if (!removed.affected) throw new NotFoundError('VectorStoreFile', fileId);
      await this.touch(manager, store, this.now());
      return this.deleteUnusedFiles(manager, accountId, [fileId]);
    });
    await this.removeUnusedContent(orphanedHashes);
  }

  /** Deletes a local store with its links, the files no other store uses, and their content. */
  async deleteStore(manager: EntityManager, accountId: string, store: VectorStoreEntity): Promise<string[]> {
    const links = await manager.getRepository(VectorStoreFileEntity).findBy({ vectorStoreId: store.id });
    await manager.getRepository(VectorStoreEntity).delete({ id: store.id });
    return this.deleteUnusedFiles(
      manager,
      accountId,
      links.map((l) => l.fileId),
    );
  }

  /** Deletes the given local Files that no store links any more; returns their content hashes. */
  private async deleteUnusedFiles(
    manager: EntityManager,
    accountId: string,
    fileIds: string[],
  ): Promise<string[]> {
    if (fileIds.length === 0) return [];
    // TypeORM answers a DELETE … RETURNING with [rows, affected].
    const [rows]: [Array<{ content_hash: string | null }>, number] = await manager.query(
      `DELETE FROM file f
        WHERE f.account_id = $1 AND f.id = ANY($2) AND f.source = 'primary'
          AND NOT EXISTS (SELECT 1 FROM vector_store_file l WHERE l.file_id = f.id)
        RETURNING f.content_hash`,
      [accountId, fileIds],
    );
    return rows.map((r) => r.content_hash).filter((h): h is string => h !== null);
  }

  /** Content is shared by hash across Files (and accounts): remove it only when no File refers to it. */
  async removeUnusedContent(hashes: string[]): Promise<void> {
    if (hashes.length === 0) return;
    const used: Array<{ content_hash: string }> = await this.db.query(
      `SELECT DISTINCT content_hash FROM file WHERE content_hash = ANY($1)`,
      [hashes],
    );
    const stillUsed = new Set(used.map((r) => r.content_hash));
    for (const hash of new Set(hashes)) if (!stillUsed.has(hash)) await this.contents.remove(hash);
  }

  /** Recounts the store's files from its links and marks it active now, as OpenAI does. */
  private async touch(manager: EntityManager, store: VectorStoreEntity, now: Date): Promise<void> {
    await manager.query(
      `UPDATE vector_store vs SET
         file_count_in_progress = c.in_progress, file_count_completed = c.completed,
         file_count_failed = c.failed, file_count_cancelled = c.cancelled, file_count_total = c.total,
         usage_bytes = c.usage, last_active_at = $2, expires_at = $3, updated_at = now()
       FROM (SELECT count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
                    count(*) FILTER (WHERE status = 'completed') AS completed,
                    count(*) FILTER (WHERE status = 'failed') AS failed,
                    count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                    count(*) AS total, coalesce(sum(usage_bytes), 0) AS usage
               FROM vector_store_file WHERE vector_store_id = $1) c
       WHERE vs.id = $1`,
      [store.id, now, expirationColumns(policyFromColumn(store.expirationDays), now).expiresAt],
    );
  }
}
