/**
 * An id-addressable collection kept in creation order, so that a cursor page costs O(log n + page):
 * the cursor id resolves to its sequence number through a map, a binary search finds its position,
 * and the page is a slice. Nothing is sorted or filtered per request.
 *
 * Order is the emulator's creation sequence (`seq`), which is `created_at` order with ties broken by
 * creation. Removed ids remember their sequence number so a client that pages while deleting (as a
 * sync does) can still use a deleted object as its cursor.
 */
export interface Sequenced {
  readonly id: string;
  readonly seq: number;
}

export type SortOrder = 'asc' | 'desc';

export interface PageQuery {
  limit: number;
  order: SortOrder;
  /** Sequence number of the `after` cursor. */
  afterSeq?: number | undefined;
  /** Sequence number of the `before` cursor. */
  beforeSeq?: number | undefined;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export class OrderedCollection<T extends Sequenced> {
  private readonly items: T[] = [];
  private readonly byId = new Map<string, T>();
  private readonly removedSeqs = new Map<string, number>();

  /**
   * @param resolvesCursors false for an index that is filtered from a main collection: cursors are
   *   resolved in the main one, so this one need not remember removed ids.
   */
  constructor(private readonly resolvesCursors = true) {}

  get size(): number {
    return this.items.length;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Sequence number of a present or previously removed id (cursors may outlive their object). */
  seqOf(id: string): number | undefined {
    return this.byId.get(id)?.seq ?? this.removedSeqs.get(id);
  }

  add(item: T): void {
    const last = this.items[this.items.length - 1];
    // New objects almost always come last; an insert in the middle only happens when a status index
    // takes back an older object.
    if (last === undefined || last.seq < item.seq) this.items.push(item);
    else this.items.splice(this.lowerBound(item.seq), 0, item);
    this.byId.set(item.id, item);
    if (this.resolvesCursors) this.removedSeqs.delete(item.id);
  }

  remove(id: string): T | undefined {
    const item = this.byId.get(id);
    if (item === undefined) return undefined;
    this.items.splice(this.lowerBound(item.seq), 1);
    this.byId.delete(id);
    if (this.resolvesCursors) this.removedSeqs.set(id, item.seq);
    return item;
  }

  /** Oldest first; a snapshot, safe to iterate while removing. */
  values(): T[] {
    return this.items.slice();
  }

  page(query: PageQuery): Page<T> {
    // Bounds of the window in ascending positions: [start, end).
    const start =
      query.order === 'asc' ? this.upperBoundOf(query.afterSeq) : this.upperBoundOf(query.beforeSeq);
    const end =
      query.order === 'asc'
        ? this.lowerBoundOf(query.beforeSeq, this.items.length)
        : this.lowerBoundOf(query.afterSeq, this.items.length);
    if (end <= start) return { data: [], hasMore: false };
    // Pages travel away from `after`; with only `before`, they travel backwards from `before`.
    const travelsUp = query.order === 'asc';
    const fromStart = query.afterSeq !== undefined || query.beforeSeq === undefined ? travelsUp : !travelsUp;
    const count = Math.min(query.limit, end - start);
    const slice = fromStart ? this.items.slice(start, start + count) : this.items.slice(end - count, end);
    if (query.order === 'desc') slice.reverse();
    return { data: slice, hasMore: count < end - start };
  }

  private upperBoundOf(seq: number | undefined): number {
    return seq === undefined ? 0 : this.lowerBound(seq + 1);
  }

  private lowerBoundOf(seq: number | undefined, fallback: number): number {
    return seq === undefined ? fallback : this.lowerBound(seq);
  }

  /** First position whose seq is >= `seq`. */
  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
