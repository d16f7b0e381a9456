import { indexingFailure, type Attributes } from './content.ts';
import { notFound, badRequest } from './errors.ts';
import { newFileBatchId, newFileId, newVectorStoreId } from './ids.ts';
import { MinHeap } from './min-heap.ts';
import { OrderedCollection } from './ordered-collection.ts';

/**
 * One API key's data. Every collection is an OrderedCollection so that list pages cost O(page);
 * filtered listings (`purpose`, `filter`) have their own collections, kept in step on every change.
 * Time-driven changes (attachments settling, stores and Files expiring) sit in heaps and are applied
 * by `catchUp()` at the start of each request, so no timer is needed per object.
 */

export const VS_FILE_STATUSES = ['in_progress', 'completed', 'failed', 'cancelled'] as const;
export type VsFileStatus = (typeof VS_FILE_STATUSES)[number];
export type FileCounts = Record<VsFileStatus, number>;

export interface ChunkingStrategy {
  max_chunk_size_tokens: number;
  chunk_overlap_tokens: number;
}
export const AUTO_CHUNKING: ChunkingStrategy = { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 };

export interface StoreExpiration {
  anchor: 'last_active_at';
  days: number;
}

/** How `POST /__emulator/corrupt` alters an object's JSON: keys set (to any value) and keys removed. */
export interface ObjectPatch {
  set: Record<string, unknown>;
  remove: string[];
}

export interface FileRecord {
  readonly id: string;
  readonly seq: number;
  readonly createdAt: number;
  readonly filename: string;
  readonly purpose: string;
  readonly bytes: number;
  readonly content: Buffer;
  readonly expiresAt: number | null;
  /** Why indexing fails, decided once at upload. */
  readonly failure: string | null;
  /** The stores it is attached to, for "delete a File removes it from every store". */
  readonly attachments: Map<string, VsFileRecord>;
  /**
   * A File never changes (expiry deletes it rather than changing it), so its JSON is encoded to
   * UTF-8 once: a 10,000-File page is then a copy of bytes, not a join and a re-encode.
   */
  json?: Buffer;
  corruption?: ObjectPatch;
}

export interface StoreRecord {
  readonly id: string;
  readonly seq: number;
  readonly createdAt: number;
  /** Null when none was given, as OpenAI answers. */
  name: string | null;
  description: string | null;
  /** `{}` when none: OpenAI never answers null. */
  metadata: Record<string, string>;
  expiresAfter: StoreExpiration | null;
  lastActiveAt: number;
  /** Set once the store has expired: the moment it did. */
  expiredAt: number | null;
  usageBytes: number;
  readonly files: StatusIndex;
  readonly batches: Map<string, BatchRecord>;
  corruption?: ObjectPatch;
  /** Counts OpenAI keeps reporting after a File deletion it did not count (see `staleFileCounts`). */
  staleCounts?: (FileCounts & { total: number }) | undefined;
}

export interface VsFileRecord {
  readonly id: string;
  readonly seq: number;
  readonly createdAt: number;
  readonly store: StoreRecord;
  readonly file: FileRecord;
  status: VsFileStatus;
  lastError: { code: 'unsupported_file'; message: string } | null;
  usageBytes: number;
  readonly chunking: ChunkingStrategy;
  attributes: Attributes;
  batch: BatchRecord | null;
  readonly settleAtMs: number;
  corruption?: ObjectPatch;
}

export interface BatchRecord {
  readonly id: string;
  readonly seq: number;
  readonly createdAt: number;
  readonly store: StoreRecord;
  cancelled: boolean;
  readonly files: StatusIndex;
}

/** The vector-store files of a store (or batch), in attach order, with one index per status. */
export class StatusIndex {
  readonly all = new OrderedCollection<VsFileRecord>();
  private readonly byStatus = new Map<VsFileStatus, OrderedCollection<VsFileRecord>>(
    VS_FILE_STATUSES.map((status) => [status, new OrderedCollection<VsFileRecord>(false)]),
  );

  withStatus(status: VsFileStatus): OrderedCollection<VsFileRecord> {
    return this.byStatus.get(status)!;
  }

  add(file: VsFileRecord): void {
    this.all.add(file);
    this.withStatus(file.status).add(file);
  }

  remove(file: VsFileRecord): void {
    this.all.remove(file.id);
    this.withStatus(file.status).remove(file.id);
  }

  move(file: VsFileRecord, from: VsFileStatus): void {
    this.withStatus(from).remove(file.id);
    this.withStatus(file.status).add(file);
  }

  counts(): FileCounts & { total: number } {
    const count = (status: VsFileStatus): number => this.withStatus(status).size;
    return {
      in_progress: count('in_progress'),
      completed: count('completed'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      total: this.all.size,
    };
  }
}

export interface AccountEnvironment {
  /** Emulator clock, Unix seconds. */
  nowSeconds(): number;
  /** Real time in ms: attachments settle after a real delay, whatever the emulator clock says. */
  realMs(): number;
  attachDelayMs(): number;
  nextSeq(): number;
}

export interface NewFile {
  filename: string;
  purpose: string;
  content: Buffer;
  expiresAfterSeconds?: number | undefined;
  createdAt?: number;
}

export interface NewStore {
  name?: string | null | undefined;
  description?: string | null | undefined;
  metadata?: Record<string, string> | null | undefined;
  expiresAfter?: StoreExpiration | null | undefined;
  createdAt?: number;
}

export interface AttachOptions {
  attributes?: Attributes | null | undefined;
  chunking?: ChunkingStrategy | undefined;
  batch?: BatchRecord | undefined;
  createdAt?: number;
  /** Settle now instead of after the delay (seeding). */
  settled?: boolean;
}

const DAY = 86_400;
const BATCH_FILE_DEFAULT_TTL = 30 * DAY;

export const storeExpiresAt = (store: StoreRecord): number | null =>
  store.expiredAt ??
  (store.expiresAfter === null ? null : store.lastActiveAt + store.expiresAfter.days * DAY);

export class Account {
  readonly files = new OrderedCollection<FileRecord>();
  readonly stores = new OrderedCollection<StoreRecord>();
  private readonly filesByPurpose = new Map<string, OrderedCollection<FileRecord>>();
  private readonly pendingAttachments = new MinHeap<VsFileRecord>((file) => file.settleAtMs);
  private readonly storeExpiries = new MinHeap<{ store: StoreRecord; at: number }>((entry) => entry.at);
  private readonly fileExpiries = new MinHeap<FileRecord>((file) => file.expiresAt!);

  constructor(private readonly env: AccountEnvironment) {}

  /** Applies everything that became due since the last request: settles, then expiries. */
  catchUp(settleAllAttachments = false): void {
    const settleUntil = settleAllAttachments ? Number.POSITIVE_INFINITY : this.env.realMs();
    for (const file of this.pendingAttachments.popUntil(settleUntil)) {
      if (file.status === 'in_progress' && file.store.files.all.get(file.id) === file) this.settle(file);
    }
    const now = this.env.nowSeconds();
    for (const { store } of this.storeExpiries.popUntil(now)) {
      if (this.stores.get(store.id) !== store || store.expiredAt !== null) continue;
      const expiresAt = storeExpiresAt(store);
      if (expiresAt === null) continue;
      // The store was used since this entry was queued: look again at its new expiry.
      if (expiresAt > now) this.storeExpiries.push({ store, at: expiresAt });
      else this.expireStore(store, expiresAt);
    }
    for (const file of this.fileExpiries.popUntil(now)) {
      if (this.files.get(file.id) === file) this.deleteFile(file.id);
    }
  }

  // --- Files --------------------------------------------------------------------------------------

  filesWithPurposeIfAny(purpose: string): OrderedCollection<FileRecord> | undefined {
    return this.filesByPurpose.get(purpose);
  }

  private filesWithPurpose(purpose: string): OrderedCollection<FileRecord> {
    let files = this.filesByPurpose.get(purpose);
    if (files === undefined) {
      files = new OrderedCollection<FileRecord>(false);
      this.filesByPurpose.set(purpose, files);
    }
    return files;
  }

  createFile(input: NewFile): FileRecord {
    const createdAt = input.createdAt ?? this.env.nowSeconds();
    const ttl = input.expiresAfterSeconds ?? (input.purpose === 'batch' ? BATCH_FILE_DEFAULT_TTL : undefined);
    const file: FileRecord = {
      id: newFileId(),
      seq: this.env.nextSeq(),
      createdAt,
      filename: input.filename,
      purpose: input.purpose,
      bytes: input.content.length,
      content: input.content,
      expiresAt: ttl === undefined ? null : createdAt + ttl,
      failure: indexingFailure(input.filename, input.content),
      attachments: new Map(),
    };
    this.files.add(file);
    this.filesWithPurpose(file.purpose).add(file);
    if (file.expiresAt !== null) this.fileExpiries.push(file);
    return file;
  }

  /** `param`: what the answer names when it is missing (`id` on the Files routes, as OpenAI does). */
  getFile(id: string, param = 'id'): FileRecord {
    const file = this.files.get(id);
    if (file === undefined) throw notFound(`No such File object: ${id}`, param);
    return file;
  }

  /** Deletes a File and, as OpenAI does, removes it from every vector store. */
  deleteFile(id: string, { staleStoreCounts = false } = {}): FileRecord {
    const file = this.getFile(id);
    for (const attached of [...file.attachments.values()]) {
      if (staleStoreCounts) attached.store.staleCounts ??= attached.store.files.counts();
      this.detach(attached);
    }
    this.files.remove(id);
    this.filesWithPurpose(file.purpose).remove(id);
    return file;
  }

  // --- Vector stores ------------------------------------------------------------------------------

  createStore(input: NewStore): StoreRecord {
    const createdAt = input.createdAt ?? this.env.nowSeconds();
    const store: StoreRecord = {
      id: newVectorStoreId(),
      seq: this.env.nextSeq(),
      createdAt,
      name: input.name ?? null,
      description: input.description ?? null,
      metadata: input.metadata ?? {},
      expiresAfter: input.expiresAfter ?? null,
      lastActiveAt: createdAt,
      expiredAt: null,
      usageBytes: 0,
      files: new StatusIndex(),
      batches: new Map(),
    };
    this.stores.add(store);
    this.scheduleExpiry(store);
    return store;
  }

  getStore(id: string): StoreRecord {
    const store = this.stores.get(id);
    if (store === undefined) throw notFound(`No vector store found with id '${id}'.`, 'vector_store_id');
    return store;
  }

  /**
   * Marks a store as used (OpenAI: "last active"). Reads do not count: a mirror that polls a store
   * must not keep it alive forever.
   */
  touch(store: StoreRecord): void {
    if (store.expiredAt === null) store.lastActiveAt = Math.max(store.lastActiveAt, this.env.nowSeconds());
  }

  setExpiration(store: StoreRecord, expiresAfter: StoreExpiration | null): void {
    store.expiresAfter = expiresAfter;
    this.scheduleExpiry(store);
  }

  /** Deleting a store keeps its Files (OpenAI does not cascade). */
  deleteStore(id: string): StoreRecord {
    const store = this.getStore(id);
    for (const attached of store.files.all.values()) this.detach(attached);
    this.stores.remove(id);
    return store;
  }

  assertUsable(store: StoreRecord): void {
    if (store.expiredAt !== null) {
      throw badRequest(`Vector store ${store.id} has expired and can no longer be used.`, null);
    }
  }

  private scheduleExpiry(store: StoreRecord): void {
    const at = storeExpiresAt(store);
    if (at !== null && store.expiredAt === null) this.storeExpiries.push({ store, at });
  }

  /** "Once a vector store expires, all associated vector_store.file objects will be deleted." */
  private expireStore(store: StoreRecord, at: number): void {
    for (const attached of store.files.all.values()) this.detach(attached);
    store.expiredAt = at;
  }

  // --- Vector store files -------------------------------------------------------------------------

  getAttached(store: StoreRecord, fileId: string): VsFileRecord {
    const attached = store.files.all.get(fileId);
    if (attached === undefined)
      throw notFound(`No file found with id '${fileId}' in vector store '${store.id}'.`, 'file_id');
    return attached;
  }

  /** Attaches a File: `in_progress` now, settled after the attach delay (or at once when seeding). */
  attach(store: StoreRecord, file: FileRecord, options: AttachOptions = {}): VsFileRecord {
    const existing = store.files.all.get(file.id);
    if (existing !== undefined) this.detach(existing);
    const attached: VsFileRecord = {
      id: file.id,
      seq: this.env.nextSeq(),
      createdAt: options.createdAt ?? this.env.nowSeconds(),
      store,
      file,
      status: 'in_progress',
      lastError: null,
      usageBytes: 0,
      chunking: options.chunking ?? AUTO_CHUNKING,
      attributes: options.attributes ?? {},
      batch: options.batch ?? null,
      settleAtMs: this.env.realMs() + this.env.attachDelayMs(),
    };
    store.staleCounts = undefined;
    store.files.add(attached);
    attached.batch?.files.add(attached);
    file.attachments.set(store.id, attached);
    if (options.settled === true) this.settle(attached);
    else this.pendingAttachments.push(attached);
    return attached;
  }

  /** Detaching keeps the File. */
  detach(attached: VsFileRecord): void {
    const { store, file } = attached;
    store.files.remove(attached);
    attached.batch?.files.remove(attached);
    store.usageBytes -= attached.usageBytes;
    if (file.attachments.get(store.id) === attached) file.attachments.delete(store.id);
  }

  private settle(attached: VsFileRecord): void {
    const failure = attached.file.failure;
    if (failure === null) {
      // Vector-store usage is the File's size here; OpenAI's differs but this keeps sums checkable.
      attached.usageBytes = attached.file.bytes;
      attached.store.usageBytes += attached.usageBytes;
      this.setStatus(attached, 'completed');
    } else {
      attached.lastError = { code: 'unsupported_file', message: failure };
      this.setStatus(attached, 'failed');
    }
  }

  private setStatus(attached: VsFileRecord, status: VsFileStatus): void {
    const from = attached.status;
    attached.status = status;
    attached.store.files.move(attached, from);
    attached.batch?.files.move(attached, from);
  }

  // --- File batches -------------------------------------------------------------------------------

  createBatch(
    store: StoreRecord,
    entries: Array<{
      file: FileRecord;
      attributes?: Attributes | null | undefined;
      chunking?: ChunkingStrategy;
    }>,
  ): BatchRecord {
    const batch: BatchRecord = {
      id: newFileBatchId(),
      seq: this.env.nextSeq(),
      createdAt: this.env.nowSeconds(),
      store,
      cancelled: false,
      files: new StatusIndex(),
    };
    store.batches.set(batch.id, batch);
    for (const entry of entries) {
      this.attach(store, entry.file, { attributes: entry.attributes, chunking: entry.chunking, batch });
    }
    return batch;
  }

  getBatch(store: StoreRecord, id: string): BatchRecord {
    const batch = store.batches.get(id);
    if (batch === undefined)
      throw notFound(`No file batch found with id '${id}' in vector store '${store.id}'.`, 'batch_id');
    return batch;
  }

  /** Files of the batch still in progress become `cancelled`; the others keep their outcome. */
  cancelBatch(batch: BatchRecord): void {
    if (batchStatus(batch) === 'completed') {
      throw badRequest(`Cannot cancel file batch ${batch.id}: it has already completed.`, null);
    }
    batch.cancelled = true;
    for (const attached of batch.files.withStatus('in_progress').values())
      this.setStatus(attached, 'cancelled');
  }
}

export function batchStatus(batch: BatchRecord): 'in_progress' | 'completed' | 'cancelled' {
  if (batch.cancelled) return 'cancelled';
  return batch.files.withStatus('in_progress').size > 0 ? 'in_progress' : 'completed';
}

export function storeStatus(store: StoreRecord): 'expired' | 'in_progress' | 'completed' {
  if (store.expiredAt !== null) return 'expired';
  return store.files.withStatus('in_progress').size > 0 ? 'in_progress' : 'completed';
}
