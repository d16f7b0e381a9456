import type { RemoteDeletionEntity } from '../../db/entities/remote-deletion.entity.ts';
import { VectorStoreEntity } from '../../db/entities/vector-store.entity.ts';
import type { LinkWithFile } from '../../db/entities/vector-store-file.entity.ts';
import { NotFoundError, ReadOnlyMirrorError, ValidationError } from '../../services/errors.ts';
import { builder } from '../builder.ts';
import { FileObject, VectorStoreFile } from './file.ts';
import { ExpirationKindEnum, VectorStore } from './vector-store.ts';

const ExpirationPolicyInput = builder.inputType('ExpirationPolicyInput', {
  description: 'NEVER, or AFTER_INACTIVITY with days from 1 to 365 (anchored on last activity, as OpenAI).',
  fields: (t) => ({
    kind: t.field({ type: ExpirationKindEnum, required: true, description: 'Never, or after inactivity.' }),
    days: t.int({
      required: false,
      description: 'Days of inactivity (1 to 365); only with AFTER_INACTIVITY.',
    }),
  }),
});

const MetadataEntryInput = builder.inputType('MetadataEntryInput', {
  description: 'One metadata pair: key 1 to 64 characters, value up to 512.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The key.' }),
    value: t.string({ required: true, description: 'The value.' }),
  }),
});

const CreateVectorStoreInput = builder.inputType('CreateVectorStoreInput', {
  description: 'A new local store (`source = PRIMARY`, `backend = LOCAL`).',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name, 1 to 256 characters.' }),
    description: t.string({ required: false, description: 'Free text, up to 512 characters.' }),
    expirationPolicy: t.field({
      type: ExpirationPolicyInput,
      required: false,
      description: 'When the store expires; absent means NEVER.',
    }),
    metadata: t.field({ type: [MetadataEntryInput], required: false, description: 'Up to 16 pairs.' }),
  }),
});

const UpdateVectorStoreInput = builder.inputType('UpdateVectorStoreInput', {
  description: 'Changes to a local store. Absent fields stay as they are. Mirrors refuse every change.',
  fields: (t) => ({
    id: t.globalID({ required: true, for: VectorStore, description: 'The store to change.' }),
    name: t.string({ required: false, description: 'New name, 1 to 256 characters.' }),
    description: t.string({ required: false, description: 'New description; null clears it.' }),
    expirationPolicy: t.field({ type: ExpirationPolicyInput, required: false, description: 'New policy.' }),
    metadata: t.field({
      type: [MetadataEntryInput],
      required: false,
      description: 'Replaces all metadata (up to 16 pairs).',
    }),
  }),
});

const VectorStorePayload = builder
  .objectRef<{ vectorStore: VectorStoreEntity }>('VectorStorePayload')
  .implement({
    description: 'The store as it is after the change.',
    fields: (t) => ({
      vectorStore: t.expose('vectorStore', { type: VectorStore, description: 'The store.' }),
    }),
  });

const DeleteVectorStorePayload = builder
  .objectRef<{ deletedId: string; vectorStore: VectorStoreEntity | null }>('DeleteVectorStorePayload')
  .implement({
    description: 'A local store is deleted at once; a mirror stays DELETING until OpenAI confirms.',
    fields: (t) => ({
      deletedVectorStoreId: t.globalID({
        description: 'Global id of the deleted store.',
        resolve: (p) => ({ type: 'VectorStore', id: p.deletedId }),
      }),
      vectorStore: t.expose('vectorStore', {
        type: VectorStore,
        nullable: true,
        description: 'The mirror, now DELETING; null when the store is already gone.',
      }),
    }),
  });

const VectorStoreFilePayload = builder
  .objectRef<{ link: LinkWithFile; vectorStoreId: string }>('VectorStoreFilePayload')
  .implement({
    description: 'The attached file and its store.',
    fields: (t) => ({
      vectorStoreFile: t.field({
        type: VectorStoreFile,
        description: 'The new link.',
        resolve: (p) => p.link,
      }),
      vectorStore: t.field({
        type: VectorStore,
        description: 'The store, with its counts updated.',
        resolve: async (p, _args, context) =>
          (await context.services.vectorStores.findById(context.principal.accountId, p.vectorStoreId))!,
      }),
    }),
  });

const RemoveVectorStoreFilePayload = builder
  .objectRef<{ fileId: string; vectorStoreId: string }>('RemoveVectorStoreFilePayload')
  .implement({
    description: 'The file was detached (and deleted when no other store used it).',
    fields: (t) => ({
      removedFileId: t.globalID({
        description: 'Global id of the removed File.',
        resolve: (p) => ({ type: 'FileObject', id: p.fileId }),
      }),
      vectorStore: t.field({
        type: VectorStore,
        description: 'The store, with its counts updated.',
        resolve: async (p, _args, context) =>
          (await context.services.vectorStores.findById(context.principal.accountId, p.vectorStoreId))!,
      }),
    }),
  });

const DeleteOrphanFilesPayload = builder.objectRef<{ queued: number }>('DeleteOrphanFilesPayload').implement({
  description: 'The Files were queued for deletion in OpenAI; they disappear when the queue confirms.',
  fields: (t) => ({ queued: t.exposeInt('queued', { description: 'How many Files were queued.' }) }),
});

const StoreDeletion = builder.objectRef<RemoteDeletionEntity>('StoreDeletion').implement({
  description: 'The remote work of deleting a mirror in OpenAI, as the durable queue holds it.',
  fields: (t) => ({
    queuedAt: t.expose('createdAt', { type: 'DateTime', description: 'When the deletion was requested.' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts so far (OpenAI failures are retried).' }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last attempt failed; null when none has failed.',
    }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', description: 'When it is tried next.' }),
    plannedFileCount: t.int({
      description: 'Files it decided to delete in OpenAI (those no other store uses); 0 until planned.',
      resolve: (item) => item.plannedFileIds.length,
    }),
  }),
});

builder.objectField(VectorStore, 'deletion', (t) =>
  t.field({
    type: StoreDeletion,
    nullable: true,
    description: 'For a store in DELETING: the state of its deletion in OpenAI. Null otherwise.',
    resolve: (store, _args, context) =>
      store.status === 'deleting' ? context.services.deletions.pendingFor(store.accountId, store.id) : null,
  }),
);

const admin = { admin: true } as const;
const editErrors = [ValidationError, NotFoundError, ReadOnlyMirrorError];

builder.mutationFields((t) => ({
  createVectorStore: t.field({
    type: VectorStorePayload,
    description: 'Creates a local store.',
    authScopes: admin,
    errors: { types: [ValidationError], directResult: true, union: { name: 'CreateVectorStoreResult' } },
    args: { input: t.arg({ type: CreateVectorStoreInput, required: true, description: 'The new store.' }) },
    resolve: async (_root, { input }, context) => ({
      vectorStore: await context.services.writer.create(context.principal.accountId, input),
    }),
  }),
  updateVectorStore: t.field({
    type: VectorStorePayload,
    description: 'Changes a local store. A mirror answers ReadOnlyMirrorError and nothing is written.',
    authScopes: admin,
    errors: { types: editErrors, directResult: true, union: { name: 'UpdateVectorStoreResult' } },
    args: { input: t.arg({ type: UpdateVectorStoreInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input }, context) => ({
      vectorStore: await context.services.writer.update(context.principal.accountId, input.id.id, input),
    }),
  }),
  deleteVectorStore: t.field({
    type: DeleteVectorStorePayload,
    description:
      'Deletes a store with its files. For a mirror, OpenAI is told too (unshared Files, then the store) ' +
      'through a retrying queue; the store shows DELETING until that is done.',
    authScopes: admin,
    errors: { types: [NotFoundError], directResult: true, union: { name: 'DeleteVectorStoreResult' } },
    args: {
      input: t.arg({
        type: builder.inputType('DeleteVectorStoreInput', {
          description: 'The store to delete.',
          fields: (f) => ({
            id: f.globalID({ required: true, for: VectorStore, description: 'The store.' }),
          }),
        }),
        required: true,
        description: 'The store to delete.',
      }),
    },
    resolve: (_root, { input }, context) =>
      context.services.deletions.deleteVectorStore(context.principal.accountId, input.id.id),
  }),
  uploadVectorStoreFile: t.field({
    type: VectorStoreFilePayload,
    description:
      'Uploads a file into a local store (GraphQL multipart request; send `GraphQL-Require-Preflight`). ' +
      'It is streamed to disk and refused past the upload limit.',
    authScopes: admin,
    errors: { types: editErrors, directResult: true, union: { name: 'UploadVectorStoreFileResult' } },
    args: {
      input: t.arg({
        type: builder.inputType('UploadVectorStoreFileInput', {
          description: 'The store and the file.',
          fields: (f) => ({
            vectorStoreId: f.globalID({ required: true, for: VectorStore, description: 'The local store.' }),
            file: f.field({ type: 'File', required: true, description: 'The file part.' }),
          }),
        }),
        required: true,
        description: 'The store and the file.',
      }),
    },
    resolve: async (_root, { input }, context) => ({
      link: await context.services.writer.addFile(
        context.principal.accountId,
        input.vectorStoreId.id,
        input.file,
      ),
      vectorStoreId: input.vectorStoreId.id,
    }),
  }),
  removeVectorStoreFile: t.field({
    type: RemoveVectorStoreFilePayload,
    description: 'Detaches a file from a local store; the File is deleted when no other store uses it.',
    authScopes: admin,
    errors: { types: editErrors, directResult: true, union: { name: 'RemoveVectorStoreFileResult' } },
    args: {
      input: t.arg({
        type: builder.inputType('RemoveVectorStoreFileInput', {
          description: 'The store and the file.',
          fields: (f) => ({
            vectorStoreId: f.globalID({ required: true, for: VectorStore, description: 'The local store.' }),
            fileId: f.globalID({ required: true, for: FileObject, description: 'The file to remove.' }),
          }),
        }),
        required: true,
        description: 'The store and the file.',
      }),
    },
    resolve: async (_root, { input }, context) => {
      await context.services.writer.removeFile(
        context.principal.accountId,
        input.vectorStoreId.id,
        input.fileId.id,
      );
      return { fileId: input.fileId.id, vectorStoreId: input.vectorStoreId.id };
    },
  }),
  deleteOrphanFiles: t.field({
    type: DeleteOrphanFilesPayload,
    description: 'Queues the deletion in OpenAI of Files attached to no store (see `orphanFiles`).',
    authScopes: admin,
    errors: {
      types: [ValidationError, NotFoundError],
      directResult: true,
      union: { name: 'DeleteOrphanFilesResult' },
    },
    args: {
      input: t.arg({
        type: builder.inputType('DeleteOrphanFilesInput', {
          description: 'The orphan Files to delete.',
          fields: (f) => ({
            ids: f.globalIDList({
              required: true,
              for: FileObject,
              description: 'Global ids, at most 1000.',
            }),
          }),
        }),
        required: true,
        description: 'The orphan Files to delete.',
      }),
    },
    resolve: async (_root, { input }, context) => ({
      queued: await context.services.deletions.deleteOrphanFiles(
        context.principal.accountId,
        input.ids.map((id) => id.id),
      ),
    }),
  }),
}));
