import { parseCursorConnectionArgs, type DefaultConnectionArguments } from '@pothos/plugin-relay';
import type { ObjectRef } from '@pothos/core';
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { PageRequest } from '../services/keyset.ts';
import { builder } from './builder.ts';

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

export interface CursorPageOptions<T> {
  args: DefaultConnectionArguments;
  defaultSize: number;
  maxSize: number;
  toCursor: (node: T) => string;
  /**
   * False when the client selects no `pageInfo`: the page is then read without the one extra row
   * that tells whether another page follows, and `hasNextPage`/`hasPreviousPage` are not computed.
   */
  pageInfoSelected?: boolean;
}

/** An edge whose cursor is encoded only if a client reads it. */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly toCursor: (node: T) => string,
  ) {}

  get cursor(): string {
    return this.toCursor(this.node);
  }
}

/**
 * The edge type of a connection. Its fields are plain properties, so they run as graphql's default
 * resolver, which a compiled query reads inline: the relay plugin's own edge type calls a resolver
 * for every `node`, which on a page of stores and their files is hundreds of calls per request.
 */
export function edgeObject<T>(name: string, description: string, node: ObjectRef<BuilderTypes, T>) {
  return builder.objectRef<{ node: T; cursor: string }>(name).implement({
    description,
    fields: (t) => ({
      // (Pothos cannot check an exposed property of a generic shape: the casts say what `T` is.)
      node: t.expose('node' as never, { type: node, description: 'The item.' } as never),
      cursor: t.exposeString('cursor', {
        description: 'The position of the item, for `after` and `before`.',
      }),
    }),
  });
}

/** Page info whose cursors are encoded only if a client reads them. */
class PageInfo<T> {
  constructor(
    private readonly edges: Array<Edge<T>>,
    /** An empty page keeps the cursor it was asked from, as resolveCursorConnection does. */
    private readonly requestedCursor: string,
    readonly hasPreviousPage: boolean,
    readonly hasNextPage: boolean,
  ) {}

  get startCursor(): string {
    return this.edges[0]?.cursor ?? this.requestedCursor;
  }

  get endCursor(): string {
    return this.edges.at(-1)?.cursor ?? this.requestedCursor;
  }
}

/**
 * `resolveCursorConnection` of @pothos/plugin-relay (same arguments, checks and page info), with lazy
 * cursors: a page whose client selects no `cursor`, `startCursor` or `endCursor` encodes none.
 */
export async function cursorConnection<T>(
  options: CursorPageOptions<T>,
  load: (page: PageRequest) => Promise<T[]>,
) {
  const { before, after, limit, inverted, expectedSize, hasPreviousPage, hasNextPage } =
    parseCursorConnectionArgs(options);
  const pageInfoSelected = options.pageInfoSelected ?? true;
  const rows = await load({ before, after, limit: pageInfoSelected ? limit : expectedSize, inverted });
  const size = Math.min(rows.length, expectedSize);
  const edges = new Array<Edge<T>>(size);
  for (let i = 0; i < size; i++)
    edges[inverted ? size - 1 - i : i] = new Edge(rows[i] as T, options.toCursor);
  return {
    edges,
    pageInfo: new PageInfo(
      edges,
      options.args.after ?? options.args.before ?? '',
      pageInfoSelected && hasPreviousPage(rows.length),
      pageInfoSelected && hasNextPage(rows.length),
    ),
  };
}

/** Field names selected at a path under a field node, per node and path (documents are cached). */
const selectedNames = new WeakMap<FieldNode, Map<string, Set<string>>>();

/**
 * The names of the fields selected at `path` under the field being resolved (`[]`: directly under
 * it), through fragments too. Directives are not evaluated: a field under `@include`/`@skip` counts
 * as selected, which only costs a little work. A page of stores asks this once per store for the
 * same field node, so the answer is kept per node.
 */
export function selectedAt(info: GraphQLResolveInfo, path: readonly string[]): ReadonlySet<string> {
  const key = path.join('.');
  const perNode = info.fieldNodes.map((node) => {
    let byPath = selectedNames.get(node);
    if (!byPath) selectedNames.set(node, (byPath = new Map()));
    let found = byPath.get(key);
    if (!found) {
      found = new Set();
      collectNames(info, [node.selectionSet], path, found);
      byPath.set(key, found);
    }
    return found;
  });
  return perNode.length === 1 ? perNode[0]! : new Set(perNode.flatMap((names) => [...names]));
}

/** Whether the field being resolved selects `name` directly (see `selectedAt`). */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return selectedAt(info, []).has(name);
}

/** Adds the field names of `sets` (following `path` down through fields of those names) to `names`. */
function collectNames(
  info: GraphQLResolveInfo,
  sets: Array<SelectionSetNode | undefined>,
  path: readonly string[],
  names: Set<string>,
): void {
  const below: Array<SelectionSetNode | undefined> = [];
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD)
        visit(info.fragments[selection.name.value]?.selectionSet);
      else if (path.length === 0) names.add(selection.name.value);
      else if (selection.name.value === path[0]) below.push(selection.selectionSet);
    }
  };
  for (const set of sets) visit(set);
  if (path.length > 0 && below.length > 0) collectNames(info, below, path.slice(1), names);
}
