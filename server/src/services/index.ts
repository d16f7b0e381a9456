import path from 'node:path';
import os from 'node:os';
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../auth/secret-box.ts';
import { createInProcessSyncProgressBus, type SyncProgressBus } from '../events/sync-progress.ts';
import { ContentStore } from '../uploads/content-store.ts';
import { AccountService } from './account.service.ts';
import { AuditService } from './audit.service.ts';
import { DeletionService } from './deletion/deletion.service.ts';
import { ExpiryService } from './expiry.service.ts';
import { FileService } from './file.service.ts';
import { LocalStoreWriter } from './local-store-writer.ts';
import { OrphanService } from './orphan.service.ts';
import { SyncService, type SyncOptions } from './sync/sync.service.ts';
import { UsageHistoryService } from './usage-history.service.ts';
import { VectorStoreService } from './vector-store.service.ts';
import pino from 'pino';
import type { Logger } from '../logger.ts';

export interface ServiceOptions {
  /** Where local file contents live (content-addressed) and uploads are staged. */
  dataDir?: string;
  maxUploadBytes?: number;
  clock?: () => Date;
  /** Told when remote deletion work was queued, so the worker can start at once. */
  onDeletionQueued?: () => void;
  /** Concurrency, request-rate ceiling and retries of syncs with OpenAI. */
  sync?: Partial<SyncOptions>;
  /** Where sync progress is published; in-process unless given. */
  syncProgress?: SyncProgressBus;
  /** Where services log what they survive (a usage point that could not be written); silent unless given. */
  logger?: Logger;
}

/** Every service of the process, built once from its dependencies. */
export interface Services {
  db: DataSource;
  accounts: AccountService;
  audit: AuditService;
  files: FileService;
  vectorStores: VectorStoreService;
  writer: LocalStoreWriter;
  deletions: DeletionService;
  contents: ContentStore;
  maxUploadBytes: number;
  expiry: ExpiryService;
  orphans: OrphanService;
  usage: UsageHistoryService;
  sync: SyncService;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export function createServices(db: DataSource, secrets: SecretBox, options: ServiceOptions = {}): Services {
  const contents = new ContentStore(options.dataDir ?? path.join(os.tmpdir(), `vs-align-${process.pid}`));
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const writer = new LocalStoreWriter(db, contents, maxUploadBytes, options.clock);
  const accounts = new AccountService(db, secrets);
  const orphans = new OrphanService(db, options.clock);
  const usage = new UsageHistoryService(db, orphans);
  const logger = options.logger ?? pino({ level: 'silent' });
  return {
    db,
    accounts,
    audit: new AuditService(db, options.clock),
    files: new FileService(db),
    vectorStores: new VectorStoreService(db),
    writer,
    deletions: new DeletionService(db, writer, options.onDeletionQueued),
    contents,
    maxUploadBytes,
    expiry: new ExpiryService(db),
    orphans,
    usage,
    sync: new SyncService(
      db,
      accounts,
      options.syncProgress ?? createInProcessSyncProgressBus(),
      options.sync,
      orphans,
      { history: usage, logger },
    ),
  };
}
