import { badRequest } from './errors.ts';
import type { OrderedCollection, Page, Sequenced } from './ordered-collection.ts';
import type { ListQuery } from './validation.ts';

/**
 * One page of `collection` for a list query. Cursors are resolved against `cursors`, the unfiltered
 * collection, because a filtered listing (`filter`, `purpose`) may be continued from any object.
 */
export function pageOf<T extends Sequenced>(
  collection: OrderedCollection<T>,
  cursors: OrderedCollection<T>,
  query: ListQuery,
): Page<T> {
  return collection.page({
    limit: query.limit,
    order: query.order,
    afterSeq: cursorSeq(cursors, query.after, 'after'),
    beforeSeq: cursorSeq(cursors, query.before, 'before'),
  });
}

function cursorSeq<T extends Sequenced>(
  cursors: OrderedCollection<T>,
  id: string | undefined,
  param: 'after' | 'before',
): number | undefined {
  if (id === undefined) return undefined;
  const seq = cursors.seqOf(id);
  if (seq === undefined) {
    throw badRequest(`Invalid '${param}': no object with id '${id}' in this list.`, param, 'invalid_value');
  }
  return seq;
}
