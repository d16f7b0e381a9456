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
  const nodes = rows.slice(0, expectedSize);
  if (inverted) nodes.reverse();
  const edges = nodes.map((node) => new Edge(node, options.toCursor));
  // An empty page keeps the cursor it was asked from, as resolveCursorConnection does.
  const requestedCursor = options.args.after ?? options.args.before ?? '';
  return {
    edges,
    pageInfo: {
      hasPreviousPage: pageInfoSelected && hasPreviousPage(rows.length),
      hasNextPage: pageInfoSelected && hasNextPage(rows.length),
      get startCursor() {
        return edges[0]?.cursor ?? requestedCursor;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? requestedCursor;
      },
    },
  };
}

/** Field names selected directly by a field node's selection set, per operation (documents are cached). */
const selectedNames = new WeakMap<FieldNode, Set<string>>();

/**
 * Whether the field being resolved selects `name` directly (through fragments too). Directives are
 * not evaluated: a field under `@include`/`@skip` counts as selected, which only costs a little work.
 * A page of stores asks this once per store for the same field node, so the answer is kept per node.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((node) => {
    let names = selectedNames.get(node);
    if (!names) {
      names = new Set();
      collectNames(info, node.selectionSet, names);
      selectedNames.set(node, names);
    }
    return names.has(name);
  });
}

function collectNames(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, names: Set<string>): void {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) collectNames(info, selection.selectionSet, names);
    else collectNames(info, info.fragments[selection.name.value]?.selectionSet, names);
  }
}
