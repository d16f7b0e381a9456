import { z } from 'zod';

/**
 * What OpenAI really sends for the objects the product reads, as a runtime schema: the SDK's types
 * are a promise (`name: string`) that real answers break (`"name": null` for stores made through
 * threads and assistants; batch listings without `usage_bytes`). Rules:
 * - a field OpenAI may send as null is nullable, and a field it has omitted at times is optional;
 * - unknown fields are ignored (OpenAI adds fields), and kept out of the parsed value;
 * - what the mirror needs to be right (ids, counts, statuses, timestamps) is required.
 * One object that still does not fit is reported on its own (see `parseElement`), never the page.
 */

/**
 * Up to 9999-12-31T23:59:59Z, the last second both a JavaScript Date's ISO form and a PostgreSQL
 * timestamp hold: a later one would fail the statement that writes the page, not only its object.
 */
export const MAX_UNIX_SECONDS = 253_402_300_799;
const unixSeconds = z.number().int().nonnegative().max(MAX_UNIX_SECONDS);
const count = z.number().int().nonnegative();

export const remoteVectorStoreSchema = z.object({
  id: z.string().min(1),
  created_at: unixSeconds,
  /** Null for a store created without a name (threads, assistants, `POST /vector_stores` with none). */
  name: z.string().nullable(),
  description: z.string().nullish(),
  usage_bytes: count,
  file_counts: z.object({
    in_progress: count,
    completed: count,
    failed: count,
    cancelled: count,
    total: count,
  }),
  status: z.enum(['expired', 'in_progress', 'completed']),
  // Read loosely here, then by the expiration vocabulary's one validator (policyFromOpenAI) in the
  // sync: a policy it cannot hold is recorded on that store's mirror instead of skipping the store.
  expires_after: z.object({ anchor: z.string(), days: z.number() }).nullish(),
  expires_at: unixSeconds.nullish(),
  last_active_at: unixSeconds.nullable(),
  /** `{}` when none, in practice; null is tolerated as none. */
  metadata: z.record(z.string(), z.string()).nullish(),
});
export type RemoteVectorStore = z.infer<typeof remoteVectorStoreSchema>;

const lastError = z.object({ code: z.string(), message: z.string() }).nullish();

/**
 * A vector store file. A batch's file listing has at times left out `usage_bytes`,
 * `chunking_strategy` and `attributes`: they are optional.
 */
export const remoteVectorStoreFileSchema = z.object({
  id: z.string().min(1),
  created_at: unixSeconds,
  vector_store_id: z.string().optional(),
  status: z.enum(['in_progress', 'completed', 'cancelled', 'failed']),
  last_error: lastError,
  usage_bytes: count.optional(),
  chunking_strategy: z
    .object({
      type: z.string(),
      static: z.object({ max_chunk_size_tokens: count, chunk_overlap_tokens: count }).optional(),
    })
    .nullish(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullish(),
});
export type RemoteVectorStoreFile = z.infer<typeof remoteVectorStoreFileSchema>;

/** A File (`GET /files`). `purpose` is kept as sent: OpenAI adds purposes over time. */
export const remoteFileSchema = z.object({
  id: z.string().min(1),
  bytes: count,
  created_at: unixSeconds,
  filename: z.string(),
  purpose: z.string(),
  expires_at: unixSeconds.nullish(),
  status: z.string().optional(),
  status_details: z.string().nullish(),
});
export type RemoteFile = z.infer<typeof remoteFileSchema>;

/** Any object, when only its id matters (deciding which Files are still used). */
export const remoteObjectIdSchema = z.object({ id: z.string().min(1) });

/** One object OpenAI sent that the product cannot understand, with its id when it has a usable one. */
export interface RejectedObject {
  id: string | null;
  reason: string;
}

/** The objects of one answer that were understood, and those that were not. */
export interface ParsedItems<T> {
  items: T[];
  rejected: RejectedObject[];
}

const idOf = (value: unknown): string | null => {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? id : null;
};

/** "file_counts.total: expected number, received string" for each problem, joined. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'object'}: ${issue.message}`)
    .join('; ');
}

/** An element of a list that could not be read, with its id when it has a usable one. */
export class RejectedElement implements RejectedObject {
  constructor(
    readonly id: string | null,
    readonly reason: string,
  ) {}
}

/**
 * Parses one element of a list on its own: the object, or a `RejectedElement` saying why not. Lists
 * are read element by element as they arrive (`readListAnswer`), so that a page's raw JSON objects are
 * garbage at once rather than held beside their parsed copies until the page is whole.
 */
export function parseElement<T>(schema: z.ZodType<T>, value: unknown): T | RejectedElement {
  const result = schema.safeParse(value);
  return result.success ? result.data : new RejectedElement(idOf(value), describeIssues(result.error));
}

/** The elements that were read, and those that were not. */
export function splitRejected<T>(elements: readonly (T | RejectedElement)[]): ParsedItems<T> {
  const items: T[] = [];
  const rejected: RejectedObject[] = [];
  for (const element of elements) {
    if (element instanceof RejectedElement) rejected.push(element);
    else items.push(element);
  }
  return { items, rejected };
}

/** Parses one object; throws `UnreadableObjectError` when it does not fit. */
export function parseOne<T>(schema: z.ZodType<T>, kind: string, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new UnreadableObjectError(kind, idOf(value), describeIssues(result.error));
}

/** An object OpenAI sent that the product cannot understand. */
export class UnreadableObjectError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string | null,
    readonly reason: string,
  ) {
    super(unreadableMessage(kind, id, reason));
  }
}

export const unreadableMessage = (kind: string, id: string | null, reason: string): string =>
  `OpenAI sent a ${kind}${id === null ? ' without a usable id' : ` (${id})`} that cannot be read: ${reason}`;
