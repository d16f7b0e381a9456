import type { GraphQLResolveInfo } from 'graphql';
import { FileEntity } from '../../db/entities/file.entity.ts';
import type { LinkWithFile } from '../../db/entities/vector-store-file.entity.ts';
import { vectorStoreFileSortKey } from '../../services/file.service.ts';
import { isUuid } from '../../services/ids.ts';
import { encodeCursor, type PageRequest } from '../../services/keyset.ts';
import { builder, DEFAULT_PAGE_SIZE } from '../builder.ts';
import { cursorConnection, edgeObject, selectedAt, selectsField } from '../connection.ts';
import { VectorStore, VectorStoreSourceEnum } from './vector-store.ts';

export const FileObject = builder.node(FileEntity, {
  name: 'FileObject',
  description: "A File object: OpenAI's `file-…` (mirrored) or a local upload.",
  id: { resolve: (file) => file.id },
  loadMany: async (ids, context) => {
    const rows = await context.services.files.findByIds(context.principal.accountId, ids.filter(isUuid));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  },
  fields: (t) => ({
    source: t.expose('source', {
      type: VectorStoreSourceEnum,
      description: 'PRIMARY for local uploads, CACHE for mirrored OpenAI Files.',
    }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: "OpenAI's `file-…` id, if any.",
    }),
    filename: t.exposeString('filename', { description: 'The name the file was uploaded with.' }),
    bytes: t.exposeFloat('bytes', { description: 'Size in bytes.' }),
    purpose: t.exposeString('purpose', { description: 'OpenAI purpose, e.g. `assistants` or `user_data`.' }),
    createdAt: t.expose('fileCreatedAt', {
      type: 'DateTime',
      description: "When the File was created (OpenAI's `created_at` for mirrored Files).",
    }),
  }),
});

const VectorStoreFileStatusEnum = builder.enumType('VectorStoreFileStatus', {
  description: 'Processing state of a file in a store.',
  values: {
    IN_PROGRESS: { value: 'in_progress', description: 'Being chunked and embedded.' },
    COMPLETED: { value: 'completed', description: 'Searchable.' },
    FAILED: { value: 'failed', description: 'Processing failed; see `lastError`.' },
    CANCELLED: { value: 'cancelled', description: 'Processing was cancelled.' },
  } as const,
});

const FileError = builder.objectRef<{ code: string; message: string }>('VectorStoreFileError').implement({
  description: 'Why a file failed to process.',
  fields: (t) => ({
    code: t.exposeString('code', { description: "OpenAI's error code, e.g. `unsupported_file`." }),
    message: t.exposeString('message', { description: 'Human-readable reason.' }),
  }),
});

export const VectorStoreFile = builder.objectRef<LinkWithFile>('VectorStoreFile').implement({
  description: 'A File attached to a store, with its processing state in that store.',
  fields: (t) => ({
    // Every link comes with its File (joined by the query that read it): no resolver call, no promise.
    file: t.expose('file', { type: FileObject, description: 'The attached File.' }),
    status: t.expose('status', { type: VectorStoreFileStatusEnum, description: 'Processing state.' }),
    usageBytes: t.exposeFloat('usageBytes', { description: 'Bytes the file uses in the store.' }),
    lastError: t.field({
      type: FileError,
      nullable: true,
      description: 'Why processing failed; null unless FAILED.',
      resolve: (link) => link.lastError,
    }),
    attributes: t.string({
      nullable: true,
      description: 'The attributes (up to 16 keys) as a JSON object, or null.',
      resolve: (link) => (link.attributes ? JSON.stringify(link.attributes) : null),
    }),
    chunkingStrategy: t.string({
      nullable: true,
      description: 'The chunking strategy as OpenAI reports it, as JSON, or null.',
      resolve: (link) => (link.chunkingStrategy ? JSON.stringify(link.chunkingStrategy) : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the file was attached.' }),
  }),
});

/** What a link and its File read without their details (see `firstLinksOfStores`). */
const LINK_LIST_FIELDS = new Set(['__typename', 'status', 'usageBytes', 'createdAt', 'file']);
const FILE_LIST_FIELDS = new Set(['__typename', 'id', 'filename', 'bytes']);

const beyond = (selected: ReadonlySet<string>, list: ReadonlySet<string>) =>
  [...selected].some((name) => !list.has(name));

/** Whether a `files` selection asks for more of a link or its File than a list shows. */
function asksForDetails(info: GraphQLResolveInfo): boolean {
  return (
    beyond(selectedAt(info, ['edges', 'node']), LINK_LIST_FIELDS) ||
    beyond(selectedAt(info, ['edges', 'node', 'file']), FILE_LIST_FIELDS)
  );
}

// Module-level, not a closure per store: a page of stores resolves `files` once per store.
const linkCursor = (link: LinkWithFile) => encodeCursor(vectorStoreFileSortKey, link, link.fileId);

builder.objectField(VectorStore, 'files', (t) =>
  t.connection(
    {
      type: VectorStoreFile,
      description: 'Files of the store, oldest attachment first. Pages hold at most 100.',
      args: {
        status: t.arg({ type: VectorStoreFileStatusEnum, required: false, description: 'Only this status.' }),
      },
      resolve: (store, args, context, info) =>
        cursorConnection(
          {
            args,
            defaultSize: DEFAULT_PAGE_SIZE,
            maxSize: 100,
            toCursor: linkCursor,
            pageInfoSelected: selectsField(info, 'pageInfo'),
          },
          (page: PageRequest) =>
            // The first page of many stores is batched; later pages concern one store at a time.
            !page.after && !page.before && !page.inverted
              ? context.loaders
                  .firstLinks(args.status ?? null, page.limit, asksForDetails(info))
                  .load(store.id)
              : context.services.files.listLinks(
                  context.principal.accountId,
                  store.id,
                  args.status ?? null,
                  page,
                ),
        ),
    },
    { name: 'VectorStoreFileConnection', description: 'A page of files of a store.' },
    edgeObject('VectorStoreFileEdge', 'A file of a store and its cursor.', VectorStoreFile),
  ),
);
