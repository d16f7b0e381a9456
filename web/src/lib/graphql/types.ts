/**
 * TypeScript shapes of the parts of `schema.graphql` the UI reads. Written by hand (no codegen yet): keep
 * them in step with the schema — the names are fixed by SPEC §4.
 */

export type VectorStoreSource = 'PRIMARY' | 'CACHE';
export type StorageBackend = 'LOCAL' | 'OPENAI';
export type VectorStoreStatus = 'IN_PROGRESS' | 'COMPLETED' | 'EXPIRED' | 'DELETING';
export type ExpirationKind = 'NEVER' | 'AFTER_INACTIVITY';
export type Role = 'VIEWER' | 'ADMIN';
export type OrderDirection = 'ASC' | 'DESC';
export type VectorStoreOrderField = 'CREATED_AT' | 'EXPIRES_AT' | 'LAST_ACTIVE_AT' | 'NAME' | 'USAGE_BYTES';

export const SOURCES: readonly VectorStoreSource[] = ['CACHE', 'PRIMARY'];
export const BACKENDS: readonly StorageBackend[] = ['OPENAI', 'LOCAL'];
export const STATUSES: readonly VectorStoreStatus[] = ['IN_PROGRESS', 'COMPLETED', 'EXPIRED', 'DELETING'];
export const ORDER_FIELDS: readonly VectorStoreOrderField[] = [
  'CREATED_AT',
  'NAME',
  'EXPIRES_AT',
  'LAST_ACTIVE_AT',
  'USAGE_BYTES',
];

export interface Viewer {
  role: Role;
  account: {
    id: string;
    name: string;
    emulated: boolean;
    openaiConnected: boolean;
    /** Why OpenAI refused the account's key on the last sync; null while it is not refused. */
    openaiKeyRejection: string | null;
  };
}

export interface FileCounts {
  inProgress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

export interface ExpirationPolicy {
  kind: ExpirationKind;
  days: number | null;
}

/** The fields the list shows. */
export interface VectorStoreSummary {
  id: string;
  /** Null for a mirror of an OpenAI store without a name (see `storeTitle`). */
  name: string | null;
  source: VectorStoreSource;
  backend: StorageBackend;
  status: VectorStoreStatus;
  readOnly: boolean;
  externalId: string | null;
  expiresAt: string | null;
  usageBytes: number;
  syncedAt: string | null;
  /** OpenAI bills it and it has no expiration policy. */
  costlyWithoutExpiration: boolean;
  fileCounts: FileCounts;
  /** OpenAI's count beside the files the last listing held, when they differ. */
  countDrift: { reported: number; listed: number } | null;
}

export type VectorStoreFileStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface MetadataEntry {
  key: string;
  value: string;
}

/** A File attached to a store, with its state in that store. */
export interface VectorStoreFile {
  status: VectorStoreFileStatus;
  usageBytes: number;
  createdAt: string;
  attributes: string | null;
  chunkingStrategy: string | null;
  lastError: { code: string; message: string } | null;
  file: {
    id: string;
    filename: string;
    bytes: number;
    purpose: string;
    externalId: string | null;
    source: VectorStoreSource;
    createdAt: string;
  };
}

/** A mirror's deletion in OpenAI, as the server's durable queue holds it (only while DELETING). */
export interface StoreDeletion {
  queuedAt: string;
  /** Attempts so far, the one under way included. */
  attempts: number;
  /** Why the last attempt failed; null when none has. */
  lastError: string | null;
  nextAttemptAt: string;
  /** Files it will delete in OpenAI (those no other store uses); 0 until planned. */
  plannedFileCount: number;
}

/** Every field of the VectorStore type, with one page of its files. */
export interface VectorStoreDetail extends VectorStoreSummary {
  description: string | null;
  /** Null unless the store is DELETING (and for a local store, which goes at once). */
  deletion: StoreDeletion | null;
  expirationPolicy: ExpirationPolicyDetail;
  lastActiveAt: string | null;
  metadata: MetadataEntry[];
  createdAt: string;
  updatedAt: string;
  files: {
    pageInfo: PageInfo;
    edges: Array<{ cursor: string; node: VectorStoreFile }>;
  };
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface VectorStoreFilter {
  source?: VectorStoreSource;
  backend?: StorageBackend;
  status?: VectorStoreStatus;
  search?: string;
  expiresBefore?: string;
}

export interface VectorStoreOrder {
  field: VectorStoreOrderField;
  direction: OrderDirection;
}

export interface VectorStoresVariables {
  filter: VectorStoreFilter;
  orderBy: VectorStoreOrder;
  first?: number;
  after?: string;
  last?: number;
  before?: string;
}

export interface VectorStoresData {
  vectorStores: {
    totalCount: number;
    pageInfo: PageInfo;
    edges: Array<{ cursor: string; node: VectorStoreSummary }>;
  };
}

export interface VectorStoreData {
  vectorStore: VectorStoreDetail | null;
}

export interface VectorStoreVariables {
  id: string;
  filesFirst?: number;
  filesAfter?: string;
  filesLast?: number;
  filesBefore?: string;
}

export interface ViewerData {
  viewer: Viewer;
}

// ——— Mutations, sync, orphans and cost (issue 7) ———

export type SyncRunStatus = 'RUNNING' | 'SUCCEEDED' | 'PARTIAL' | 'FAILED';
export type SyncTrigger = 'CLI' | 'MANUAL' | 'SCHEDULE';
export type SyncScope = 'ACCOUNT' | 'VECTOR_STORE';

/** The policy as the store page shows it: words and OpenAI's wire form come from the API. */
export interface ExpirationPolicyDetail extends ExpirationPolicy {
  description: string;
  openai: string | null;
}

export interface SyncRunError {
  at: string;
  message: string;
  vectorStoreExternalId: string | null;
}

export interface SyncRun {
  id: string;
  status: SyncRunStatus;
  trigger: SyncTrigger;
  scope: SyncScope;
  phase: string;
  full: boolean;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  storesTotal: number;
  storesDone: number;
  storesCreated: number;
  storesUpdated: number;
  storesRemoved: number;
  filesDone: number;
  filesCreated: number;
  filesUpdated: number;
  filesRemoved: number;
  orphansFound: number;
  requests: number;
  retries: number;
  throttled: number;
  concurrencyLimit: number | null;
  rateLimit: number | null;
  errors: SyncRunError[];
  vectorStore: { id: string; name: string | null; externalId: string | null } | null;
}

/** The last run, for the header and the sync control. */
export interface SyncRunBrief {
  id: string;
  status: SyncRunStatus;
  startedAt: string;
  finishedAt: string | null;
}

export interface SyncProgress {
  runId: string;
  sequence: number;
  phase: string;
  storesDone: number;
  storesTotal: number;
  filesDone: number;
  requests: number;
  retries: number;
  throttled: number;
  concurrencyLimit: number | null;
  status: SyncRunStatus;
  final: boolean;
  run: SyncRun | null;
}

export interface LayoutData {
  viewer: Viewer;
  syncRuns: { edges: Array<{ node: SyncRunBrief }> };
}

export interface SyncRunsData {
  viewer: { account: { id: string; syncSchedule: string } };
  syncRuns: {
    totalCount: number;
    pageInfo: PageInfo;
    edges: Array<{ cursor: string; node: SyncRun }>;
  };
}

export interface PageVariables {
  first?: number;
  after?: string;
  last?: number;
  before?: string;
}

export interface OrphanFile {
  id: string;
  filename: string;
  bytes: number;
  purpose: string;
  createdAt: string;
  ageHours: number;
  externalId: string | null;
  source: VectorStoreSource;
}

export interface StorageCost {
  billableBytes: number;
  bytesWithoutExpiration: number;
  estimatedDailyCostUsd: number;
  freeBytes: number;
  storesWithoutExpiration: number;
  totalUsageBytes: number;
}

export interface OrphansData {
  viewer: { account: { id: string; orphanGraceHours: number } };
  orphanFiles: {
    totalCount: number;
    totalBytes: number;
    pageInfo: PageInfo;
    edges: Array<{ cursor: string; node: OrphanFile }>;
  };
  storageCost: StorageCost;
}

export interface OrphanIdsData {
  orphanFiles: { pageInfo: PageInfo; edges: Array<{ node: { id: string } }> };
}

export interface SourceCountsData {
  all: { totalCount: number };
  cache: { totalCount: number };
  primary: { totalCount: number };
  expiringSoon: { totalCount: number };
}

export interface SourceCountsVariables {
  all: VectorStoreFilter;
  cache: VectorStoreFilter;
  primary: VectorStoreFilter;
  expiringSoon: VectorStoreFilter;
}

export interface ValidationErrorResult {
  __typename: 'ValidationError';
  field: string;
  message: string;
}
export interface NotFoundErrorResult {
  __typename: 'NotFoundError';
  message: string;
}
export interface ReadOnlyMirrorErrorResult {
  __typename: 'ReadOnlyMirrorError';
  message: string;
}
export type MutationError = ValidationErrorResult | NotFoundErrorResult | ReadOnlyMirrorErrorResult;

export interface ExpirationPolicyInput {
  kind: ExpirationKind;
  days?: number | null;
}

export interface StoreInput {
  name: string;
  description: string | null;
  expirationPolicy: ExpirationPolicyInput;
  metadata: MetadataEntry[];
}

export interface CreateVectorStoreData {
  createVectorStore:
    { __typename: 'VectorStorePayload'; vectorStore: { id: string; name: string } } | ValidationErrorResult;
}

export interface UpdateVectorStoreData {
  updateVectorStore:
    { __typename: 'VectorStorePayload'; vectorStore: { id: string; name: string } } | MutationError;
}

export interface DeleteVectorStoreData {
  deleteVectorStore:
    | {
        __typename: 'DeleteVectorStorePayload';
        deletedVectorStoreId: string;
        vectorStore: { id: string; status: VectorStoreStatus } | null;
      }
    | NotFoundErrorResult;
}

export interface RemoveVectorStoreFileData {
  removeVectorStoreFile:
    { __typename: 'RemoveVectorStoreFilePayload'; removedFileId: string } | MutationError;
}

export interface UploadVectorStoreFileData {
  uploadVectorStoreFile:
    | { __typename: 'VectorStoreFilePayload'; vectorStoreFile: { file: { id: string; filename: string } } }
    | MutationError;
}

export interface StartSyncData {
  startSync: ({ __typename: 'SyncRun' } & SyncRunBrief) | NotFoundErrorResult | ValidationErrorResult;
}

export interface DeleteOrphanFilesData {
  deleteOrphanFiles:
    { __typename: 'DeleteOrphanFilesPayload'; queued: number } | NotFoundErrorResult | ValidationErrorResult;
}

export interface StoreStatusData {
  vectorStore: { id: string; status: VectorStoreStatus; deletion: StoreDeletion | null } | null;
}
