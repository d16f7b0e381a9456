import { InitialSchema1764000000000 } from './1764000000000-InitialSchema.ts';
import { AddVectorStoreSource1764100000000 } from './1764100000000-AddVectorStoreSource.ts';
import { FilesSyncRunsAndDeletionQueue1764200000000 } from './1764200000000-FilesSyncRunsAndDeletionQueue.ts';
import { DeletionPlannedFiles1764300000000 } from './1764300000000-DeletionPlannedFiles.ts';
import { AddFilesListedSummary1764400000000 } from './1764400000000-AddFilesListedSummary.ts';
import { AddSyncRunFilesDone1764500000000 } from './1764500000000-AddSyncRunFilesDone.ts';
import { MirrorRowsGuard1764600000000 } from './1764600000000-MirrorRowsGuard.ts';
import { UnnamedStoresAndRejectedKeys1764613000000 } from './1764613000000-UnnamedStoresAndRejectedKeys.ts';
import { RateLimitTable1764700000000 } from './1764700000000-RateLimitTable.ts';
import { AddSyncRunLimits1764900000000 } from './1764900000000-AddSyncRunLimits.ts';
import { AddStoreListedFileCount1764910000000 } from './1764910000000-AddStoreListedFileCount.ts';
import { AddVectorStoreSyncError1765000000000 } from './1765000000000-AddVectorStoreSyncError.ts';
import { SyncListedIds1765050000000 } from './1765050000000-SyncListedIds.ts';
import { AddUsageHistory1765100000000 } from './1765100000000-AddUsageHistory.ts';
import { AuditEvents1765200000000 } from './1765200000000-AuditEvents.ts';
import { AccountUsageVersion1765300000000 } from './1765300000000-AccountUsageVersion.ts';

/** In order. Landed migrations are immutable: change the schema with a new one. */
export const migrations = [
  InitialSchema1764000000000,
  AddVectorStoreSource1764100000000,
  FilesSyncRunsAndDeletionQueue1764200000000,
  DeletionPlannedFiles1764300000000,
  AddFilesListedSummary1764400000000,
  AddSyncRunFilesDone1764500000000,
  MirrorRowsGuard1764600000000,
  UnnamedStoresAndRejectedKeys1764613000000,
  RateLimitTable1764700000000,
  AddSyncRunLimits1764900000000,
  AddStoreListedFileCount1764910000000,
  AddVectorStoreSyncError1765000000000,
  SyncListedIds1765050000000,
  AddUsageHistory1765100000000,
  AuditEvents1765200000000,
  AccountUsageVersion1765300000000,
];
