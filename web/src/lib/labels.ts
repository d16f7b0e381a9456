/** Words and badge styles for the enums, in one place so the list, the store page and filters agree. */
import type {
  AuditOutcome,
  StorageBackend,
  VectorStoreOrderField,
  SyncRunStatus,
  SyncTrigger,
  VectorStoreSource,
  VectorStoreStatus,
} from './graphql/document-types.ts';

export const SOURCE_LABELS: Record<VectorStoreSource, string> = {
  CACHE: 'OpenAI Mirror',
  PRIMARY: 'Local',
};

export const SOURCE_EXPLANATIONS: Record<VectorStoreSource, string> = {
  CACHE: 'Read-only mirror of an OpenAI vector store; changes come from sync.',
  PRIMARY: 'Local store owned by this service; it is edited here.',
};

export const BACKEND_LABELS: Record<StorageBackend, string> = {
  OPENAI: 'OpenAI',
  LOCAL: 'Local',
};

export const STATUS_LABELS: Record<VectorStoreStatus, string> = {
  IN_PROGRESS: 'In progress',
  COMPLETED: 'Completed',
  EXPIRED: 'Expired',
  DELETING: 'Deleting',
};

export const STATUS_EXPLANATIONS: Record<VectorStoreStatus, string> = {
  IN_PROGRESS: 'Files are still being processed.',
  COMPLETED: 'Ready for use.',
  EXPIRED: 'Expired by its expiration policy; it can no longer be used.',
  DELETING: 'Deletion was requested and is still running.',
};

export const STATUS_BADGES: Record<VectorStoreStatus, string> = {
  IN_PROGRESS: 'badge-info',
  COMPLETED: 'badge-success',
  EXPIRED: 'badge-danger',
  DELETING: 'badge-warning',
};

export const RUN_STATUS_LABELS: Record<SyncRunStatus, string> = {
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  PARTIAL: 'Partial',
  FAILED: 'Failed',
};

export const RUN_STATUS_BADGES: Record<SyncRunStatus, string> = {
  RUNNING: 'badge-info',
  SUCCEEDED: 'badge-success',
  PARTIAL: 'badge-warning',
  FAILED: 'badge-danger',
};

export const TRIGGER_LABELS: Record<SyncTrigger, string> = {
  MANUAL: 'Started here',
  SCHEDULE: 'Scheduled',
  CLI: 'Command line',
};

/** The run's phases (SyncRun.phase) in words. */
export const PHASE_LABELS: Record<string, string> = {
  starting: 'Starting',
  stores: 'Listing stores',
  files: 'Reading files',
  cleanup: 'Removing what OpenAI no longer has',
  orphans: 'Counting orphan Files',
  finished: 'Finished',
};

/** The keys of a record over an enum: every value, in the record's (display) order. */
function valuesOf<Value extends string>(labels: Record<Value, unknown>): readonly Value[] {
  return Object.keys(labels) as Value[];
}

export const SOURCES = valuesOf(SOURCE_LABELS);
export const BACKENDS = valuesOf(BACKEND_LABELS);
export const STATUSES = valuesOf(STATUS_LABELS);

/** Sort keys the list's URL accepts; a field the schema adds fails to compile here until it is named. */
export const ORDER_FIELDS = valuesOf<VectorStoreOrderField>({
  CREATED_AT: true,
  NAME: true,
  EXPIRES_AT: true,
  LAST_ACTIVE_AT: true,
  USAGE_BYTES: true,
});

export const AUDIT_OUTCOME_LABELS: Record<AuditOutcome, string> = {
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  REFUSED: 'Refused',
};

export const AUDIT_OUTCOME_BADGES: Record<AuditOutcome, string> = {
  SUCCEEDED: 'badge-success',
  FAILED: 'badge-danger',
  REFUSED: 'badge-warning',
};

/** The kinds of audit events the server writes (`AuditEvent.kind`), in the order the filter offers them. */
export const AUDIT_KIND_LABELS: Record<string, string> = {
  CREATE_VECTOR_STORE: 'Create store',
  UPDATE_VECTOR_STORE: 'Update store',
  DELETE_VECTOR_STORE: 'Delete store',
  UPLOAD_FILE: 'Upload file',
  REMOVE_FILE: 'Remove file',
  DELETE_ORPHAN_FILES: 'Delete orphan Files',
  START_SYNC: 'Start sync',
  SET_STORAGE_QUOTA: 'Set storage quota',
  CREATE_ACCOUNT: 'Create account',
  ISSUE_TOKEN: 'Issue token',
  REVOKE_TOKEN: 'Revoke token',
};
