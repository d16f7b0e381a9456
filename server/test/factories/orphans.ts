import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FileEntity } from '../../src/db/entities/file.entity.ts';
import { RemoteDeletionEntity } from '../../src/db/entities/remote-deletion.entity.ts';
import { VectorStoreFileEntity } from '../../src/db/entities/vector-store-file.entity.ts';

let counter = 0;

/** A mirrored OpenAI File of purpose `assistants`, created long ago unless overridden. */
export async function createFile(
  db: DataSource,
  accountId: string,
  overrides: Partial<FileEntity> = {},
): Promise<FileEntity> {
  counter += 1;
  return db.getRepository(FileEntity).save(
    db.getRepository(FileEntity).create({
      accountId,
      source: 'cache',
      externalId: `file-${randomUUID().replace(/-/g, '')}`,
      filename: `file-${counter}.txt`,
      bytes: 1000,
      purpose: 'assistants',
      contentHash: null,
      fileCreatedAt: new Date('2026-01-01T00:00:00Z'),
      syncedAt: null,
      ...overrides,
    }),
  );
}

/** Attaches a File to a store. */
export async function linkFile(
  db: DataSource,
  vectorStoreId: string,
  fileId: string,
  overrides: Partial<VectorStoreFileEntity> = {},
): Promise<VectorStoreFileEntity> {
  return db.getRepository(VectorStoreFileEntity).save({
    vectorStoreId,
    fileId,
    status: 'completed',
    usageBytes: 500,
    lastError: null,
    attributes: null,
    chunkingStrategy: null,
    ...overrides,
  });
}

/** A queued remote deletion of one File, as `deleteOrphanFiles` writes it. */
export async function queueFileDeletion(
  db: DataSource,
  accountId: string,
  externalId: string,
): Promise<void> {
  await db
    .getRepository(RemoteDeletionEntity)
    .insert({ accountId, kind: 'FILE', externalId, vectorStoreId: null });
}
