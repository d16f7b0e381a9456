import { NotFoundError as OpenAINotFoundError } from 'openai';
import type { SyncRunEntity } from '../../db/entities/sync-run.entity.ts';
import {
  unreadableMessage,
  UnreadableObjectError,
  type RejectedObject,
} from '../../openai/remote-objects.ts';
import type { OrphanTotals } from '../orphan.service.ts';
import { ApiKeyRejectedError } from './api-key-rejection.ts';
import { ListingLedger } from './listing-ledger.ts';
import { MirrorWriter, remoteStoreFields, remoteSummary, type LocalStore } from './mirror-writer.ts';
import type { RemoteReader, RemoteVectorStore } from './remote-reader.ts';
import type { RunProgress } from './run-progress.ts';
import { Semaphore } from './semaphore.ts';
import { StoreFilesWriter } from './store-files-writer.ts';

/** At most this many errors are kept on a run's row; the rest are counted in the last one. */
const MAX_RECORDED_ERRORS = 100;
/** Page writes in flight: a few more than the pool's connections, so the pool never waits for work. */
const WRITE_SLOTS = 16;
/**
 * Stores listed at once, whatever the limiter allows: each holds a page until it is written, and past
 * this many it is the database, not OpenAI, that they wait for (more only adds memory and contention).
 */
const MAX_LISTINGS = 32;
/**
 * Files written per statement. A statement's JSON text (about 130 bytes a File) then stays under
 * 128 kB: an ordinary young object for V8 rather than one in its large-object space, and a driver
 * buffer under glibc's mmap threshold. With 2,000 a statement, a 1,000,000-File sync's peak RSS was
 * 1.20-1.21x a 22,000-File sync's; with 500, 1.14-1.16x (bench/sync.ts, BENCH_SYNC_ONLY=million).
 */
const FILE_WRITE_SLICE = 500;

export interface AccountSyncPlan {
  /** Re-list every store's files, changed or not. */
  full: boolean;
  /** Store scope: the one mirror to sync (its local id and OpenAI id); absent = the whole account. */
  store?: { id: string; externalId: string } | undefined;
  concurrency: number;
  /** The account's orphan Files as the Orphans page counts them (OrphanService.orphanTotals). */
  countOrphans: () => Promise<OrphanTotals>;
}

/** Why a run cannot be complete: the account-level listing failed (stores or Files). */
class ListingFailed extends Error {}

/** The reader's request counters and the limits in force, onto the run's row. */
export function copyCounters(reader: RemoteReader, run: SyncRunEntity): void {
  run.requests = reader.counters.requests;
  run.retries = reader.counters.retries;
  run.throttled = reader.counters.throttled;
  run.concurrencyLimit = reader.limits.concurrency;
  run.rateLimit = reader.limits.requestsPerSecond;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * One sync of one account (or one store), start to end. The Files listing runs beside the stores
 * listing; each page of stores is written as it arrives and its changed stores are handed to a
 * bounded pool that lists their files. Removals come last, each only after the listing that proves
 * them: stores after the complete stores listing, links after their store's complete listing, Files
 * after the complete Files listing.
 */
export class AccountSync {
  private readonly run: SyncRunEntity;
  private readonly storeFiles: StoreFilesWriter;
  /** Store listings in flight (the bound on requests in flight), and page writes in flight. */
  private readonly listingSlots: Semaphore;
  private readonly writeSlots: Semaphore;
  private recordedErrors = 0;
  private droppedErrors = 0;
  /** Set when OpenAI refused the key: the run then ends FAILED with that reason alone. */
  private keyRejection: ApiKeyRejectedError | null = null;
  /** The orphan totals the run ended with; the usage point reuses them rather than count again. */
  orphans: OrphanTotals | null = null;
  /** The ids the listings returned, in PostgreSQL: memory does not grow with the account. */
  private readonly listed: ListingLedger;

  constructor(
    private readonly reader: RemoteReader,
    private readonly writer: MirrorWriter,
    private readonly progress: RunProgress,
    private readonly plan: AccountSyncPlan,
  ) {
    this.run = progress.run;
    this.listed = new ListingLedger(writer.db, this.run.id);
    this.storeFiles = new StoreFilesWriter(writer);
    this.listingSlots = new Semaphore(Math.min(plan.concurrency, MAX_LISTINGS));
    this.writeSlots = new Semaphore(WRITE_SLOTS);
  }

  async execute(): Promise<void> {
    await ListingLedger.clearAbandoned(this.writer.db);
    try {
      await this.executeListings();
    } finally {
      // Not a reason to fail the run (nor to hide why it failed): the next run drops what is left.
      await this.listed.clear().catch(() => {});
    }
  }

  private async executeListings(): Promise<void> {
    const files = this.syncFileObjects();
    // Keep the Files listing's failure for the end: the stores must still be synced.
    files.catch(() => {});
    let listingFailed = false;
    try {
      if (this.plan.store) await this.syncOneStore(this.plan.store);
      else await this.syncAllStores();
    } catch (error) {
      if (!(error instanceof ListingFailed)) {
        // Nothing of this run may write after it ends (and releases the account's lock).
        await files.catch(() => null);
        throw error;
      }
      listingFailed = true;
    }

    this.setPhase('files');
    const listing = await files.catch(() => null);
    if (listing) {
      this.setPhase('cleanup');
      if (listing.complete) {
        await this.listed.analyze();
        await this.writer.removeFilesNotIn(this.listed, listing.startedAt);
      }
    } else listingFailed = true;

    if (this.keyRejection) throw this.keyRejection;
    this.setPhase('orphans');
    this.orphans = await this.plan.countOrphans();
    this.run.orphansFound = this.orphans.count;
    this.run.status = listingFailed ? 'FAILED' : this.run.errors.length > 0 ? 'PARTIAL' : 'SUCCEEDED';
  }

  private setPhase(phase: string): void {
    this.run.phase = phase;
    this.syncCounters();
  }

  /** Copies the reader's request counters onto the run and schedules a progress report. */
  private syncCounters(): void {
    copyCounters(this.reader, this.run);
    this.progress.changed();
  }

  private recordError(vectorStoreExternalId: string | null, error: unknown): void {
    if (error instanceof ApiKeyRejectedError) {
      // One reason for the whole run, said once by the caller: not an error per store.
      this.keyRejection ??= error;
      return;
    }
    const at = new Date().toISOString();
    if (this.recordedErrors < MAX_RECORDED_ERRORS) {
      this.recordedErrors++;
      this.run.errors = [...this.run.errors, { vectorStoreExternalId, message: describe(error), at }];
    } else {
      this.droppedErrors++;
      this.run.errors = [
        ...this.run.errors.slice(0, MAX_RECORDED_ERRORS),
        { vectorStoreExternalId: null, message: `${this.droppedErrors} more errors were not recorded`, at },
      ];
    }
    this.progress.changed();
  }

  private async syncAllStores(): Promise<void> {
    this.setPhase('stores');
    // Stores waiting for their listing are bounded: the stores listing waits for room before reading
    // on, so memory does not grow with the number of stores in the account.
    const maxPending = this.plan.concurrency * 4 + 100;
    const pending = new Set<Promise<void>>();
    // A store whose id cannot be read cannot be told apart from a deleted one: no removal then.
    let everyStoreIdentified = true;
    try {
      for await (const { data, rejected } of this.reader.storePages()) {
        // An unreadable store is skipped with its own error; its mirror stays as it was.
        for (const bad of rejected) {
          this.recordRejected('vector store', bad, bad.id);
          if (bad.id === null) everyStoreIdentified = false;
        }
        await this.listed.record(
          's',
          rejected.flatMap((bad) => (bad.id === null ? [] : [bad.id])),
        );
        // A store created while the listing pages could show up twice: sync it once.
        const firstSeen = await this.listed.recordFirstSeen(
          's',
          data.map((store) => store.id),
        );
        const page = data.filter((store) => firstSeen.has(store.id));
        this.run.storesTotal += page.length;
        const toList = await this.writeStores(page);
        for (const { store, localId } of toList) {
          const task: Promise<void> = this.syncStoreFiles(store, localId).finally(() => pending.delete(task));
          pending.add(task);
        }
        this.syncCounters();
        while (pending.size > maxPending) await Promise.race(pending);
      }
    } catch (error) {
      // Nothing is removed: the listing did not prove anything gone (SPEC §2 rule 3).
      this.recordError(null, error);
      await Promise.all(pending);
      throw new ListingFailed();
    }
    await Promise.all(pending);
    if (!everyStoreIdentified) return;
    this.setPhase('cleanup');
    await this.listed.analyze();
    const removed = await this.writer.removeStoresNotIn(this.listed);
    this.run.storesRemoved += removed.stores;
    this.run.filesRemoved += removed.links;
  }

  private async syncOneStore(target: { id: string; externalId: string }): Promise<void> {
    this.setPhase('stores');
    this.run.storesTotal = 1;
    let store: RemoteVectorStore | null;
    try {
      store = await this.reader.retrieveStore(target.externalId);
    } catch (error) {
      this.recordError(target.externalId, error);
      // An unreadable store is skipped (PARTIAL); its mirror stays as it was.
      if (error instanceof UnreadableObjectError) {
        this.run.storesDone = 1;
        return;
      }
      throw new ListingFailed();
    }
    if (store === null) {
      // OpenAI answered 404 for this very store: that is proof enough that it is gone.
      const removed = await this.writer.removeStore(target.id);
      this.run.storesRemoved += removed.stores;
      this.run.filesRemoved += removed.links;
      this.run.storesDone = 1;
      return;
    }
    const [toList] = await this.writeStores([store], true);
    if (toList) await this.syncStoreFiles(toList.store, toList.localId);
    else this.run.storesDone = 1;
  }

  /**
   * Writes one page of remote stores and returns those whose files must be listed: new ones, those
   * whose summary changed since their files were last listed, or all of them on a full pass. Stores
   * being deleted here, and local rows that happen to share an OpenAI id, are left alone.
   */
  private async writeStores(page: RemoteVectorStore[], forceList = false) {
    const local = await this.writer.findStores(page.map((store) => store.id));
    const writable = page.filter((store) => {
      const row = local.get(store.id);
      return row === undefined || (row.source === 'cache' && row.status !== 'deleting');
    });
    const ids = await this.writer.upsertStores(writable, new Date());
    const toList: Array<{ store: RemoteVectorStore; localId: string }> = [];
    for (const store of page) {
      const row: LocalStore | undefined = local.get(store.id);
      const localId = ids.get(store.id);
      if (localId === undefined) {
        this.run.storesDone++;
        continue;
      }
      if (row === undefined) this.run.storesCreated++;
      else if (row.fields !== remoteStoreFields(store)) this.run.storesUpdated++;
      if (forceList || this.plan.full || row?.filesListedSummary !== remoteSummary(store)) {
        toList.push({ store, localId });
      } else this.run.storesDone++;
    }
    return toList;
  }

  /**
   * Lists one store's files completely; a failure is recorded on the run and stops only this store.
   * The listing holds one of the run's `concurrency` slots; the write of its last page (which carries
   * the sweep) is finished outside it, so the next store's request is not kept waiting on the database.
   * Pending writes are bounded too, so a slow database slows the listings instead of filling memory.
   */
  private async syncStoreFiles(store: RemoteVectorStore, localId: string): Promise<void> {
    try {
      const lastWrite = await this.listingSlots.run(() => this.listStoreFiles(store, localId));
      await lastWrite.done;
    } catch (error) {
      // Its summary stays stale, so the next run lists this store again. A 404 means the store was
      // deleted while this run was going: not a failure, and the next listing removes its mirror.
      if (!(error instanceof OpenAINotFoundError)) this.recordError(store.id, error);
    } finally {
      this.run.storesDone++;
      this.syncCounters();
    }
  }

  /** Returns the last page's write still in flight (wrapped: an awaited promise would be waited for). */
  private async listStoreFiles(store: RemoteVectorStore, localId: string): Promise<{ done: Promise<void> }> {
    const listed: string[] = [];
    let everyFileRead = true;
    let everyFileIdentified = true;
    for await (const page of this.reader.storeFilePages(store.id)) {
      for (const file of page.data) listed.push(file.id);
      // An unreadable file keeps its link as it was (it is listed) and the store is listed again
      // next run (no summary); without an id, no link of the store can be proven gone.
      for (const bad of page.rejected) {
        this.recordRejected('vector store file', bad, store.id);
        everyFileRead = false;
        if (bad.id === null) everyFileIdentified = false;
        else listed.push(bad.id);
      }
      const complete =
        page.last && everyFileIdentified
          ? { listed, summary: everyFileRead ? remoteSummary(store) : null }
          : null;
      const release = await this.writeSlots.acquire();
      const written = this.storeFiles
        .write(localId, page.data, complete)
        .then(({ created, updated, removed }) => {
          this.run.filesCreated += created;
          this.run.filesUpdated += updated;
          this.run.filesRemoved += removed;
          this.run.filesDone += page.data.length;
          this.syncCounters();
        })
        .finally(release);
      // A store's pages are committed in order, so the sweep on its last page follows all of them.
      if (page.last) return { done: written };
      await written;
    }
    throw new Error('The listing ended without a last page');
  }

  /**
   * Lists every File (10,000 a page) and mirrors its metadata; the ids, recorded in the ledger, feed
   * the final removal. Each page is let go once written.
   */
  private async syncFileObjects(): Promise<{ startedAt: Date; complete: boolean }> {
    const startedAt = await this.writer.now();
    let everyFileIdentified = true;
    try {
      for await (const { data: page, rejected } of this.reader.filePages()) {
        // An unreadable File keeps its mirror row as it was; without an id, none can be proven gone.
        for (const bad of rejected) {
          this.recordRejected('File', bad, null);
          if (bad.id === null) everyFileIdentified = false;
        }
        await this.listed.record('f', [
          ...page.map((file) => file.id),
          ...rejected.flatMap((bad) => (bad.id === null ? [] : [bad.id])),
        ]);
        // Written in slices: each statement's rows and JSON text are garbage before the next is built,
        // rather than a whole 10,000-File page's worth held across one long write.
        const syncedAt = new Date();
        for (let start = 0; start < page.length; start += FILE_WRITE_SLICE) {
          await this.writer.upsertFiles(page.slice(start, start + FILE_WRITE_SLICE), syncedAt);
        }
        this.syncCounters();
      }
    } catch (error) {
      this.recordError(null, error);
      throw error;
    }
    return { startedAt, complete: everyFileIdentified };
  }

  private recordRejected(kind: string, bad: RejectedObject, vectorStoreExternalId: string | null): void {
    this.recordError(vectorStoreExternalId, new Error(unreadableMessage(kind, bad.id, bad.reason)));
  }
}
