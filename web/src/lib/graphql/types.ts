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
  account: { id: string; name: string; emulated: boolean; openaiConnected: boolean };
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
  name: string;
  source: VectorStoreSource;
  backend: StorageBackend;
  status: VectorStoreStatus;
  readOnly: boolean;
  externalId: string | null;
  expiresAt: string | null;
  usageBytes: number;
  syncedAt: string | null;
  fileCounts: FileCounts;
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

/** Every field of the VectorStore type, with one page of its files. */
export interface VectorStoreDetail extends VectorStoreSummary {
  description: string | null;
  expirationPolicy: ExpirationPolicy;
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
