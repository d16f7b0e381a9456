import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { VectorStoreEntity } from '../../db/entities/vector-store.entity.ts';
import { describePolicy, policyFromColumn, policyToOpenAI } from '../../domain/expiration.ts';
import { isUuid } from '../../services/ids.ts';
import { encodeCursor, type PageRequest } from '../../services/keyset.ts';
import {
  vectorStoreSortKey,
  type VectorStoreFilter,
  type VectorStoreOrder,
} from '../../services/vector-store.service.ts';
import { builder, DEFAULT_PAGE_SIZE } from '../builder.ts';
import { cursorConnection, edgeObject, selectedAt, selectsField } from '../connection.ts';

export const VectorStoreSourceEnum = builder.enumType('VectorStoreSource', {
  description: 'Who is authoritative for a store.',
  values: {
    PRIMARY: { value: 'primary', description: 'This service: the store is edited here.' },
    CACHE: { value: 'cache', description: 'OpenAI: the row is a read-only mirror, written only by sync.' },
  } as const,
});

export const StorageBackendEnum = builder.enumType('StorageBackend', {
  description: "Where a store's contents live.",
  values: {
    LOCAL: { value: 'local', description: "In this service's database and data directory." },
    OPENAI: { value: 'openai', description: 'In OpenAI.' },
  } as const,
});

export const VectorStoreStatusEnum = builder.enumType('VectorStoreStatus', {
  description: 'Lifecycle state of a store.',
  values: {
    IN_PROGRESS: { value: 'in_progress', description: 'Files are still being processed.' },
    COMPLETED: { value: 'completed', description: 'Ready for use.' },
    EXPIRED: { value: 'expired', description: 'Expired by its expiration policy; it can no longer be used.' },
    DELETING: {
      value: 'deleting',
      description: 'Deletion was requested and is still running (in OpenAI too).',
    },
  } as const,
});

export const ExpirationKindEnum = builder.enumType('ExpirationKind', {
  description: 'The one expiration vocabulary for local stores and OpenAI mirrors.',
  values: {
    NEVER: { description: 'The store never expires.' },
    AFTER_INACTIVITY: { description: 'The store expires `days` after it was last active, as OpenAI does.' },
  } as const,
});

interface ExpirationPolicyShape {
  kind: 'NEVER' | 'AFTER_INACTIVITY';
  days: number | null;
}

const ExpirationPolicy = builder.objectRef<ExpirationPolicyShape>('ExpirationPolicy').implement({
  description: 'When a store expires. Anchored on `lastActiveAt`, exactly as OpenAI anchors `expires_after`.',
  fields: (t) => ({
    kind: t.field({
      type: ExpirationKindEnum,
      description: 'Never, or after inactivity.',
      resolve: (p) => p.kind,
    }),
    days: t.exposeInt('days', {
      nullable: true,
      description: 'Days of inactivity (1 to 365) before expiry; null when the kind is NEVER.',
    }),
    openai: t.string({
      nullable: true,
      description:
        'The policy in OpenAI\'s wire form, as JSON (`{"anchor":"last_active_at","days":7}`); null when NEVER, ' +
        'as OpenAI then omits `expires_after`.',
      resolve: (p) => {
        const wire = policyToOpenAI(policyFromColumn(p.days));
        return wire && JSON.stringify(wire);
      },
    }),
    description: t.string({
      description: 'The policy in words: "Expires after 7 days of inactivity" or "Never expires".',
      resolve: (p) => describePolicy(policyFromColumn(p.days)),
    }),
  }),
});

export const MetadataEntry = builder.objectRef<{ key: string; value: string }>('MetadataEntry').implement({
  description: 'One metadata pair (keys up to 64 characters, values up to 512, as OpenAI allows).',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The key.' }),
    value: t.exposeString('value', { description: 'The value.' }),
  }),
});

interface FileCountsOfStore {
  inProgress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

// Fields named as their properties run as graphql's default resolver: on a page of stores,
// a resolver call per count would cost more than reading the count.
const FileCounts = builder.objectRef<FileCountsOfStore>('FileCounts').implement({
  description: "Counts of the store's files by processing status.",
  fields: (t) => ({
    inProgress: t.exposeInt('inProgress', { description: 'Files still being processed.' }),
    completed: t.exposeInt('completed', { description: 'Files ready for search.' }),
    failed: t.exposeInt('failed', { description: 'Files that failed to process.' }),
    cancelled: t.exposeInt('cancelled', { description: 'Files whose processing was cancelled.' }),
    total: t.exposeInt('total', { description: 'All files of the store.' }),
  }),
});

const FileCountDrift = builder.objectRef<{ reported: number; listed: number }>('FileCountDrift').implement({
  description: "OpenAI's file count of a mirror beside the files its last complete listing held.",
  fields: (t) => ({
    reported: t.exposeInt('reported', { description: 'Files OpenAI reports in `file_counts.total` (kept).' }),
    listed: t.exposeInt('listed', { description: "Files the store's last complete listing held." }),
  }),
});

export const VectorStore = builder.node(VectorStoreEntity, {
  name: 'VectorStore',
  description: 'A vector store: a local one (`source = PRIMARY`) or a read-only mirror of OpenAI (`CACHE`).',
  id: { resolve: (store) => store.id },
  loadMany: async (ids, context) => {
    const rows = await context.services.vectorStores.findByIds(
      context.principal.accountId,
      ids.filter(isUuid),
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  },
  fields: (t) => ({
    name: t.exposeString('name', {
      nullable: true,
      description:
        'Display name; null for a mirror of an OpenAI store created without a name (show its `externalId`). Local stores always have one.',
    }),
    description: t.exposeString('description', { nullable: true, description: 'Free text, if any.' }),
    source: t.expose('source', { type: VectorStoreSourceEnum, description: 'Who is authoritative.' }),
    backend: t.expose('backend', { type: StorageBackendEnum, description: 'Where the contents live.' }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: "OpenAI's `vs_…` id of a mirror; null for local stores.",
    }),
    status: t.expose('status', { type: VectorStoreStatusEnum, description: 'Lifecycle state.' }),
    readOnly: t.boolean({
      description: 'True for mirrors: every edit is refused with ReadOnlyMirrorError.',
      resolve: (store) => store.source === 'cache',
    }),
    expirationPolicy: t.field({
      type: ExpirationPolicy,
      description: 'When the store expires.',
      resolve: (store): ExpirationPolicyShape =>
        store.expirationDays === null
          ? { kind: 'NEVER', days: null }
          : { kind: 'AFTER_INACTIVITY', days: store.expirationDays },
    }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: '`lastActiveAt` plus the policy days; null when the store never expires.',
    }),
    lastActiveAt: t.expose('lastActiveAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the store was last used (searched, or files attached).',
    }),
    usageBytes: t.exposeFloat('usageBytes', { description: 'Bytes the store uses (the billed quantity).' }),
    fileCounts: t.field({
      type: FileCounts,
      description: 'Files by status.',
      resolve: (store) => ({
        inProgress: store.fileCountInProgress,
        completed: store.fileCountCompleted,
        failed: store.fileCountFailed,
        cancelled: store.fileCountCancelled,
        total: store.fileCountTotal,
      }),
    }),
    countDrift: t.field({
      type: FileCountDrift,
      nullable: true,
      description:
        "A mirror whose OpenAI file count differs from the files its last complete listing held (OpenAI's " +
        'counts can stay stale after a File is deleted); null when they agree, and for local stores.',
      resolve: (store) =>
        store.source === 'cache' &&
        store.filesListedCount !== null &&
        store.filesListedCount !== store.fileCountTotal
          ? { reported: store.fileCountTotal, listed: store.filesListedCount }
          : null,
    }),
    metadata: t.field({
      type: [MetadataEntry],
      description: 'Key/value pairs attached to the store (at most 16), sorted by key.',
      resolve: (store) =>
        Object.entries(store.metadata)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, value]) => ({ key, value })),
    }),
    syncError: t.exposeString('syncError', {
      nullable: true,
      description:
        'Why the last sync could not mirror part of this store as OpenAI reports it (an expiration policy ' +
        'outside NEVER / 1 to 365 days of inactivity: the policy then reads NEVER here while OpenAI keeps its ' +
        'own); null when it mirrored all of it, and for local stores.',
    }),
    syncedAt: t.expose('syncedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a mirror was last read from OpenAI; null for local stores.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the row was created here.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the row last changed here.' }),
  }),
});

const VectorStoreFilterInput = builder.inputType('VectorStoreFilter', {
  description: 'Every given condition must hold.',
  fields: (t) => ({
    source: t.field({ type: VectorStoreSourceEnum, required: false, description: 'Only this source.' }),
    backend: t.field({ type: StorageBackendEnum, required: false, description: 'Only this backend.' }),
    status: t.field({ type: VectorStoreStatusEnum, required: false, description: 'Only this status.' }),
    search: t.string({
      required: false,
      description: 'Case-insensitive part of the name (at most 200 characters).',
    }),
    expiresBefore: t.field({
      type: 'DateTime',
      required: false,
      description: 'Only stores that expire before this instant (stores that never expire are left out).',
    }),
  }),
});

const VectorStoreOrderField = builder.enumType('VectorStoreOrderField', {
  description: 'What to sort stores by; ties are broken by id, so paging is stable.',
  values: ['CREATED_AT', 'NAME', 'USAGE_BYTES', 'EXPIRES_AT', 'LAST_ACTIVE_AT'] as const,
});

const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Ascending or descending.',
  values: ['ASC', 'DESC'] as const,
});

const VectorStoreOrderInput = builder.inputType('VectorStoreOrder', {
  description: 'Sort order. Stores that never expire sort after all others by EXPIRES_AT ascending.',
  fields: (t) => ({
    field: t.field({ type: VectorStoreOrderField, required: true, description: 'The sort key.' }),
    direction: t.field({ type: OrderDirection, defaultValue: 'ASC', description: 'The direction.' }),
  }),
});

/**
 * What a store reads without its details (see `VectorStoreService.list`): what the web app's store list
 * asks for (a test holds its document to this set).
 */
export const STORE_LIST_FIELDS: ReadonlySet<string> = new Set([
  '__typename',
  'id',
  'name',
  'externalId',
  'source',
  'backend',
  'status',
  'readOnly',
  'expiresAt',
  'lastActiveAt',
  'usageBytes',
  'fileCounts',
  'countDrift',
  'files',
  'createdAt',
  'syncedAt',
  'costlyWithoutExpiration',
  'estimatedDailyCostUsd',
]);

/** Whether a page of stores asks for more of a store than a list shows. */
function asksForDetails(info: GraphQLResolveInfo): boolean {
  return [...selectedAt(info, ['edges', 'node'])].some((name) => !STORE_LIST_FIELDS.has(name));
}

builder.queryFields((t) => ({
  vectorStores: t.connection(
    {
      type: VectorStore,
      description:
        'Stores of the account, newest first unless `orderBy` says otherwise. Pages hold at most 100.',
      authScopes: { viewer: true },
      args: {
        filter: t.arg({ type: VectorStoreFilterInput, required: false, description: 'Conditions.' }),
        orderBy: t.arg({ type: VectorStoreOrderInput, required: false, description: 'Sort order.' }),
      },
      resolve: async (_root, args, context, info) => {
        const accountId = context.principal.accountId;
        const filter: VectorStoreFilter = args.filter ?? {};
        if ((filter.search?.length ?? 0) > 200) {
          throw new GraphQLError('filter.search must be at most 200 characters', {
            extensions: { code: 'BAD_USER_INPUT', field: 'filter.search' },
          });
        }
        const order: VectorStoreOrder = args.orderBy
          ? { field: args.orderBy.field, direction: args.orderBy.direction ?? 'ASC' }
          : { field: 'CREATED_AT', direction: 'DESC' };
        const key = vectorStoreSortKey(order);
        let total: Promise<number> | null = null;
        const countTotal = () => (total ??= context.services.vectorStores.count(accountId, filter));
        // A selected total is counted alongside the page rather than after it (its failure, if any,
        // is reported by the totalCount field; the catch only keeps it from being "unhandled").
        if (selectsField(info, 'totalCount')) countTotal().catch(() => {});
        const connection = await cursorConnection(
          {
            args,
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: 100,
            toCursor: (store) => encodeCursor(key, store),
            pageInfoSelected: selectsField(info, 'pageInfo'),
          },
          (page: PageRequest) =>
            context.services.vectorStores.list(accountId, filter, order, page, asksForDetails(info)),
        );
        return { ...connection, countTotal };
      },
    },
    {
      name: 'VectorStoreConnection',
      description: 'A page of vector stores.',
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many stores match the filter, across all pages.',
          resolve: (connection) =>
            (connection as unknown as { countTotal: () => Promise<number> }).countTotal(),
        }),
      }),
    },
    edgeObject('VectorStoreEdge', 'A store and its cursor.', VectorStore),
  ),
  vectorStore: t.field({
    type: VectorStore,
    nullable: true,
    description: 'One store by its global id; null when it does not exist in this account.',
    authScopes: { viewer: true },
    args: {
      id: t.arg.globalID({ required: true, for: VectorStore, description: 'Global id of the store.' }),
    },
    resolve: async (_root, args, context) => {
      if (!isUuid(args.id.id)) return null;
      return context.services.vectorStores.findById(context.principal.accountId, args.id.id);
    },
  }),
}));
