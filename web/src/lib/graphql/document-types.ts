/**
 * Names for the shapes the components pass around, every one derived from a document (and so from
 * `schema.graphql`): nothing here is written by hand beside the schema.
 */
import type {
  CREATE_STORE_MUTATION,
  LAYOUT_QUERY,
  SOURCE_COUNTS_QUERY,
  STORE_STATUS_QUERY,
  SYNC_PROGRESS_SUBSCRIPTION,
  SYNC_RUNS_QUERY,
  UPDATE_STORE_MUTATION,
  UPLOAD_FILE_MUTATION,
  VECTOR_STORE_QUERY,
  VECTOR_STORES_QUERY,
} from './documents.ts';
import type { ResultOf, SchemaEnum, VariablesOf } from './graphql.ts';

export type VectorStoreSource = SchemaEnum<'VectorStoreSource'>;
export type StorageBackend = SchemaEnum<'StorageBackend'>;
export type VectorStoreStatus = SchemaEnum<'VectorStoreStatus'>;
export type VectorStoreFileStatus = SchemaEnum<'VectorStoreFileStatus'>;
export type ExpirationKind = SchemaEnum<'ExpirationKind'>;
export type OrderDirection = SchemaEnum<'OrderDirection'>;
export type VectorStoreOrderField = SchemaEnum<'VectorStoreOrderField'>;
export type SyncRunStatus = SchemaEnum<'SyncRunStatus'>;
export type SyncTrigger = SchemaEnum<'SyncTrigger'>;
export type AuditOutcome = SchemaEnum<'AuditOutcome'>;

export type VectorStoresVariables = VariablesOf<typeof VECTOR_STORES_QUERY>;
export type VectorStoreFilter = NonNullable<VectorStoresVariables['filter']>;
export type VectorStoreOrder = NonNullable<VectorStoresVariables['orderBy']>;
export type VectorStoreVariables = VariablesOf<typeof VECTOR_STORE_QUERY>;
/** Relay paging arguments, as every paged query of the UI takes them. */
export type PageVariables = VariablesOf<typeof SYNC_RUNS_QUERY>;

type StoreListPage = ResultOf<typeof VECTOR_STORES_QUERY>['vectorStores'];
export type PageInfo = StoreListPage['pageInfo'];
/** The fields the list shows. */
export type VectorStoreSummary = StoreListPage['edges'][number]['node'];
export type FileCounts = VectorStoreSummary['fileCounts'];

/** Every field of a store, with one page of its files. */
export type VectorStoreDetail = NonNullable<ResultOf<typeof VECTOR_STORE_QUERY>['vectorStore']>;
export type VectorStoreFile = VectorStoreDetail['files']['edges'][number]['node'];
export type MetadataEntry = VectorStoreDetail['metadata'][number];
export type StoreDeletion = NonNullable<
  NonNullable<ResultOf<typeof STORE_STATUS_QUERY>['vectorStore']>['deletion']
>;

export type SourceCountsData = ResultOf<typeof SOURCE_COUNTS_QUERY>;

type LayoutData = ResultOf<typeof LAYOUT_QUERY>;
export type Viewer = LayoutData['viewer'];
/** The last run, for the header and the sync control. */
export type SyncRunBrief = LayoutData['syncRuns']['edges'][number]['node'];
export type SyncProgress = ResultOf<typeof SYNC_PROGRESS_SUBSCRIPTION>['syncProgress'];

/** What the store form sends: the create input (the update adds the id). */
export type StoreInput = VariablesOf<typeof CREATE_STORE_MUTATION>['input'] &
  Omit<VariablesOf<typeof UPDATE_STORE_MUTATION>['input'], 'id'>;

/** The typed errors a store mutation may answer with (every member but the payload). */
export type MutationError = Exclude<
  | ResultOf<typeof CREATE_STORE_MUTATION>['createVectorStore']
  | ResultOf<typeof UPDATE_STORE_MUTATION>['updateVectorStore'],
  { __typename: 'VectorStorePayload' }
>;

export type UploadResult = ResultOf<typeof UPLOAD_FILE_MUTATION>['uploadVectorStoreFile'];
