import { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { AuditOutcome, AuditTarget } from '../db/entities/audit-event.entity.ts';
import { ReadOnlyMirrorError } from '../services/errors.ts';
import { isUuid } from '../services/ids.ts';
import type { StagedUpload } from '../uploads/staged-upload.ts';
import type { GraphQLContext } from './context.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- mutation arguments arrive untyped at this level */

/**
 * How one mutation is written to the audit log. `summary` copies an allowlist of input fields (never
 * a whole input, so a field added later is not logged until someone decides it is harmless): no
 * secret and no file content ever reaches the log.
 *
 * Arguments are seen as the client sent them, before Pothos decodes global ids, and the result as
 * the resolver returned it (an expected error is an `Error` instance in a result union).
 */
export interface MutationAudit {
  kind: string;
  targets(args: Record<string, any>, result: unknown): AuditTarget[];
  summary(args: Record<string, any>, result: unknown): Record<string, unknown>;
  /**
   * Read before the resolver runs, for what the mutation destroys (a deleted store's name, so the log
   * can say which store it was). Merged into the summary. Costs one query: only where it matters.
   */
  before?(args: Record<string, any>, context: GraphQLContext): Promise<Record<string, unknown>>;
}

/** The local id and type named by a global id, or null when it is not one. */
function target(globalId: unknown): AuditTarget | null {
  if (typeof globalId !== 'string') return null;
  try {
    const { typename, id } = decodeGlobalID(globalId);
    return typename && id ? { type: typename, id } : null;
  } catch {
    return null;
  }
}

const targets = (...items: Array<AuditTarget | null | undefined>): AuditTarget[] => {
  const seen = new Set<string>();
  return items.filter((item): item is AuditTarget => {
    if (!item || seen.has(`${item.type}:${item.id}`)) return false;
    seen.add(`${item.type}:${item.id}`);
    return true;
  });
};

/**
 * The class of an expected error a resolver returned, or null. The errors plugin hands it on wrapped
 * in a Proxy whose target is not an Error, but whose `constructor` is the error's class.
 */
function expectedErrorClass(value: unknown): (new (...args: never[]) => Error) | null {
  if (typeof value !== 'object' || value === null) return null;
  const constructor = (value as { constructor?: unknown }).constructor;
  return typeof constructor === 'function' &&
    (constructor === Error || constructor.prototype instanceof Error)
    ? (constructor as new (...args: never[]) => Error)
    : null;
}

const succeeded = (result: unknown) => (expectedErrorClass(result) ? null : (result as any));

const storeFields = (input: Record<string, any>) => ({
  ...(input.name !== undefined ? { name: input.name } : {}),
  ...(input.description !== undefined ? { descriptionChanged: true } : {}),
  ...(input.expirationPolicy !== undefined ? { expirationPolicy: input.expirationPolicy } : {}),
  ...(Array.isArray(input.metadata)
    ? { metadataKeys: input.metadata.map((entry: { key: string }) => entry.key) }
    : {}),
});

/** Every mutation of the schema; a test fails when one is missing. */
export const mutationAudits: Record<string, MutationAudit> = {
  createVectorStore: {
    kind: 'CREATE_VECTOR_STORE',
    targets: (_args, result) => {
      const created = succeeded(result)?.vectorStore?.id;
      return targets(created ? { type: 'VectorStore', id: created } : null);
    },
    summary: ({ input }) => storeFields(input),
  },
  updateVectorStore: {
    kind: 'UPDATE_VECTOR_STORE',
    targets: ({ input }) => targets(target(input.id)),
    summary: ({ input }) => storeFields(input),
  },
  deleteVectorStore: {
    kind: 'DELETE_VECTOR_STORE',
    targets: ({ input }) => targets(target(input.id)),
    summary: () => ({}),
    before: async ({ input }, context) => {
      const id = target(input.id)?.id;
      const store =
        id && isUuid(id)
          ? await context.services.vectorStores.findById(context.principal.accountId, id)
          : null;
      return store ? { name: store.name ?? store.externalId } : {};
    },
  },
  uploadVectorStoreFile: {
    kind: 'UPLOAD_FILE',
    targets: ({ input }, result) => {
      const fileId = succeeded(result)?.link?.fileId;
      return targets(target(input.vectorStoreId), fileId ? { type: 'FileObject', id: fileId } : null);
    },
    // Name, type and size of the upload; never its bytes, digest or temporary path.
    summary: ({ input }) => {
      const file = input.file as StagedUpload | undefined;
      return file ? { filename: file.filename, mimeType: file.mimeType, bytes: file.bytes } : {};
    },
  },
  removeVectorStoreFile: {
    kind: 'REMOVE_FILE',
    targets: ({ input }) => targets(target(input.vectorStoreId), target(input.fileId)),
    summary: () => ({}),
  },
  deleteOrphanFiles: {
    kind: 'DELETE_ORPHAN_FILES',
    targets: ({ input }) => targets(...(Array.isArray(input.ids) ? input.ids.map(target) : [])),
    summary: ({ input }, result) => ({
      requested: Array.isArray(input.ids) ? input.ids.length : 0,
      ...(typeof (result as any)?.queued === 'number' ? { queued: (result as any).queued } : {}),
    }),
  },
  setStorageQuota: {
    kind: 'SET_STORAGE_QUOTA',
    targets: (_args, result) => {
      const account = succeeded(result)?.id;
      return targets(account ? { type: 'Account', id: account } : null);
    },
    summary: ({ quotaBytes }) => (typeof quotaBytes === 'number' ? { quotaBytes } : {}),
  },
  startSync: {
    kind: 'START_SYNC',
    targets: ({ input }, result) => {
      const runId = succeeded(result)?.id;
      return targets(target(input?.vectorStoreId), runId ? { type: 'SyncRun', id: runId } : null);
    },
    summary: ({ input }) => ({ scope: input?.vectorStoreId ? 'VECTOR_STORE' : 'ACCOUNT' }),
  },
};

/** A mutation nobody mapped is still logged, under its field name, with no input at all. */
const unmapped = (fieldName: string): MutationAudit => ({
  kind: `MUTATION:${fieldName}`.slice(0, 40),
  targets: () => [],
  summary: () => ({}),
});

/** Errors that say the caller may not do this (as opposed to: it was tried and did not work). */
const REFUSAL_CODES = new Set(['FORBIDDEN', 'TOO_MANY_UPLOADS']);

/** The outcome of a resolver call: its thrown error or returned expected error, else success. */
export function outcomeOf(result: { error: unknown } | { value: unknown }): {
  outcome: AuditOutcome;
  errorType: string | null;
} {
  if ('error' in result) {
    const error = result.error;
    if (error instanceof GraphQLError) {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : null;
      if (code !== null && REFUSAL_CODES.has(code)) return { outcome: 'REFUSED', errorType: code };
      return { outcome: 'FAILED', errorType: code ?? error.originalError?.name ?? 'GraphQLError' };
    }
    return { outcome: 'FAILED', errorType: error instanceof Error ? error.constructor.name : 'Error' };
  }
  const errorClass = expectedErrorClass(result.value);
  if (errorClass === ReadOnlyMirrorError) return { outcome: 'REFUSED', errorType: errorClass.name };
  if (errorClass) return { outcome: 'FAILED', errorType: errorClass.name };
  return { outcome: 'SUCCEEDED', errorType: null };
}

/**
 * Wraps the resolver of every Mutation field (outside Pothos' own wrappers: the role check, the
 * error unions) so that each call writes exactly one audit event, whatever its outcome. New
 * mutations are audited by default. The event is written after the resolver settles, before the
 * answer is sent; a failed write is logged and does not change the answer (the change is done).
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  if (!mutation) return schema;
  for (const field of Object.values(mutation.getFields())) {
    const audit = mutationAudits[field.name] ?? unmapped(field.name);
    const resolve = field.resolve as GraphQLFieldResolver<unknown, GraphQLContext> | undefined;
    if (!resolve) continue;
    field.resolve = async (root, args, context: GraphQLContext, info) => {
      const before = audit.before
        ? await audit.before(args, context).catch(() => ({}) as Record<string, unknown>)
        : {};
      let settled: { error: unknown } | { value: unknown };
      try {
        settled = { value: await resolve(root, args, context, info) };
      } catch (error) {
        settled = { error };
      }
      const value = 'value' in settled ? settled.value : undefined;
      try {
        await context.services.audit.record({
          accountId: context.principal.accountId,
          actor: { kind: 'TOKEN', tokenId: context.principal.tokenId },
          kind: audit.kind,
          targets: safely(() => audit.targets(args, value), []),
          summary: { ...before, ...safely(() => audit.summary(args, value), {}) },
          ...outcomeOf(settled),
        });
      } catch (error) {
        context.logger.error({ err: error, mutation: field.name }, 'Could not write the audit event');
      }
      if ('error' in settled) throw settled.error;
      return settled.value;
    };
  }
  return schema;
}

/** A mapping that cannot read a malformed input records less rather than failing the mutation. */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
