import { resolveCursorConnection } from '@pothos/plugin-relay';
import { isCostlyWithoutExpiration, storeDailyCostUsd } from '../../domain/storage-cost.ts';
import { encodeCursor, type PageRequest } from '../../services/keyset.ts';
import { orphanFileSortKey, type OrphanFile, type OrphanTotals } from '../../services/orphan.service.ts';
import type { StorageCost as StorageCostShape } from '../../services/orphan.service.ts';
import { edgeObject } from '../connection.ts';
import { builder } from '../builder.ts';
import { FileObject } from './file.ts';
import { VectorStore, VectorStoreSourceEnum } from './vector-store.ts';

const OrphanFileRef = builder.objectRef<OrphanFile>('OrphanFile').implement({
  description:
    'A File of purpose `assistants` or `user_data` attached to no vector store of the account, older than the ' +
    "account's grace period, and not already queued for deletion. It still counts toward OpenAI's storage cap.",
  fields: (t) => ({
    id: t.globalID({
      description: 'Global id of the File (the same as `file.id`): pass it to `deleteOrphanFiles` or `node`.',
      resolve: (orphan) => ({ type: FileObject, id: orphan.file.id }),
    }),
    file: t.field({ type: FileObject, description: 'The File itself.', resolve: (orphan) => orphan.file }),
    source: t.field({
      type: VectorStoreSourceEnum,
      description: 'CACHE for a File mirrored from OpenAI, PRIMARY for a local upload.',
      resolve: (orphan) => orphan.file.source,
    }),
    externalId: t.string({
      nullable: true,
      description: "OpenAI's `file-…` id; null for a local upload.",
      resolve: (orphan) => orphan.file.externalId,
    }),
    filename: t.string({
      description: 'The name the File was uploaded with.',
      resolve: (orphan) => orphan.file.filename,
    }),
    bytes: t.float({ description: 'Size of the File in bytes.', resolve: (orphan) => orphan.file.bytes }),
    purpose: t.string({
      description: '`assistants` or `user_data`.',
      resolve: (orphan) => orphan.file.purpose,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: "When the File was created (OpenAI's `created_at` for mirrored Files).",
      resolve: (orphan) => orphan.file.fileCreatedAt,
    }),
    ageSeconds: t.float({
      description: 'Seconds since the File was created, at the time of the request.',
      resolve: (orphan) => orphan.ageSeconds,
    }),
    ageHours: t.float({
      description: 'The same age in hours (fractional), to compare with the grace period.',
      resolve: (orphan) => orphan.ageSeconds / 3600,
    }),
  }),
});

/** Both totals come from one aggregate query, asked at most once per connection. */
type WithTotals = { totals: () => Promise<OrphanTotals> };

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= load());
}

const StorageCostRef = builder.objectRef<StorageCostShape>('StorageCost').implement({
  description:
    "The account's OpenAI vector storage and its estimated daily cost: $0.10 per GiB (2^30 bytes) per day of " +
    '`usageBytes` beyond the first free GiB, counted per account. Only stores OpenAI bills are counted: OpenAI-backed, ' +
    'not expired, using bytes (local stores are not billed by OpenAI; a store being deleted bills until it is gone).',
  fields: (t) => ({
    storesWithoutExpiration: t.exposeInt('storesWithoutExpiration', {
      description: 'Billed stores with no expiration policy: they bill until someone deletes them.',
    }),
    bytesWithoutExpiration: t.exposeFloat('bytesWithoutExpiration', {
      description: 'Total `usageBytes` of those stores.',
    }),
    totalUsageBytes: t.exposeFloat('totalUsageBytes', {
      description: 'Total `usageBytes` of all billed stores.',
    }),
    freeBytes: t.exposeFloat('freeBytes', { description: 'The free allowance: 1 GiB (1073741824 bytes).' }),
    billableBytes: t.exposeFloat('billableBytes', {
      description: 'Bytes billed: `totalUsageBytes` beyond `freeBytes`, never negative.',
    }),
    estimatedDailyCostUsd: t.exposeFloat('estimatedDailyCostUsd', {
      description: 'Estimated cost of one day at current usage, in US dollars, unrounded.',
    }),
  }),
});

builder.queryFields((t) => ({
  orphanFiles: t.connection(
    {
      type: OrphanFileRef,
      description:
        'Orphan Files of the account, oldest first, with totals across all pages. Pages hold at most 100. A File ' +
        'becomes an orphan only once older than the grace period, so one uploaded just before being attached is not listed.',
      authScopes: { viewer: true },
      resolve: async (_root, args, context) => {
        const accountId = context.principal.accountId;
        const orphans = context.services.orphans;
        const connection = await resolveCursorConnection(
          {
            args,
            defaultSize: 20,
            maxSize: 100,
            toCursor: (orphan: OrphanFile) => encodeCursor(orphanFileSortKey, orphan.file),
          },
          (page: PageRequest) => orphans.listOrphanFiles(accountId, page),
        );
        return { ...connection, totals: once(() => orphans.orphanTotals(accountId)) };
      },
    },
    {
      name: 'OrphanFileConnection',
      description: 'A page of orphan Files, with totals across all pages.',
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many orphan Files the account has.',
          resolve: async (connection) => (await (connection as unknown as WithTotals).totals()).count,
        }),
        totalBytes: t.float({
          description: 'Their total size in bytes (File `bytes`, which count toward the 2.5 TB project cap).',
          resolve: async (connection) => (await (connection as unknown as WithTotals).totals()).bytes,
        }),
      }),
    },
    edgeObject('OrphanFileEdge', 'An orphan File and its cursor.', OrphanFileRef),
  ),
  storageCost: t.field({
    type: StorageCostRef,
    description:
      "The account's billed vector storage, its stores without expiration, and the estimated daily cost.",
    authScopes: { viewer: true },
    resolve: (_root, _args, context) => context.services.orphans.storageCost(context.principal.accountId),
  }),
}));

builder.objectField(VectorStore, 'costlyWithoutExpiration', (t) =>
  t.boolean({
    description:
      'True when OpenAI bills this store (OpenAI-backed, not expired, using bytes) and it has no expiration ' +
      'policy: it keeps billing until someone deletes it.',
    resolve: (store) => isCostlyWithoutExpiration(store),
  }),
);

builder.objectField(VectorStore, 'estimatedDailyCostUsd', (t) =>
  t.float({
    description:
      "This store's share of OpenAI's daily bill on its own, in US dollars, unrounded: its usage at $0.10 per " +
      'GiB per day when OpenAI bills it, else 0. An upper bound, as the free GiB is per account (see ' +
      '`storageCost`).',
    resolve: (store) => storeDailyCostUsd(store),
  }),
);
