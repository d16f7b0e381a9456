import { AccountEntity } from './account.entity.ts';
import { ApiTokenEntity } from './api-token.entity.ts';
import { AuditEventEntity } from './audit-event.entity.ts';
import { FileEntity } from './file.entity.ts';
import { RemoteDeletionEntity } from './remote-deletion.entity.ts';
import { SyncRunEntity } from './sync-run.entity.ts';
import { UsagePointEntity } from './usage-point.entity.ts';
import { VectorStoreFileEntity } from './vector-store-file.entity.ts';
import { VectorStoreEntity } from './vector-store.entity.ts';

export const entities = [
  AccountEntity,
  ApiTokenEntity,
  VectorStoreEntity,
  FileEntity,
  VectorStoreFileEntity,
  SyncRunEntity,
  RemoteDeletionEntity,
  AuditEventEntity,
  UsagePointEntity,
];

export {
  AccountEntity,
  ApiTokenEntity,
  AuditEventEntity,
  FileEntity,
  RemoteDeletionEntity,
  SyncRunEntity,
  UsagePointEntity,
  VectorStoreEntity,
  VectorStoreFileEntity,
};
