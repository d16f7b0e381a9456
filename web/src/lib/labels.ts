/** Words and badge styles for the enums, in one place so the list, the store page and filters agree. */
import type { StorageBackend, VectorStoreSource, VectorStoreStatus } from './graphql/types.ts';

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
