import { encodeGlobalID } from '@pothos/plugin-relay';
import { isInterfaceType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';

type IdResolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>, unknown>;

/**
 * Resolves the global `id` of every Node type without a promise. The relay plugin resolves it through
 * an async function, so every node on a page (a store's files) made its edge, and the list holding it,
 * complete asynchronously: a handful of promises and microtask turns per item, for a string. Here the
 * node's own `id` resolver (`builder.node(…, { id })`) is called and its value encoded exactly as the
 * plugin encodes it. A field that another plugin wrapped (e.g. with an auth check) is left as it is.
 */
export function resolveNodeIdsSynchronously(schema: GraphQLSchema): GraphQLSchema {
  const node = schema.getType('Node');
  if (!isInterfaceType(node)) return schema;
  for (const type of schema.getPossibleTypes(node)) {
    const field = type.getFields().id;
    const nodeId = (type.extensions.pothosOptions as { id?: { resolve?: IdResolver } } | undefined)?.id
      ?.resolve;
    if (!field || !nodeId || field.resolve !== field.extensions.pothosOriginalResolve) continue;
    const encode = (id: unknown) => encodeGlobalID(type.name, String(id));
    field.resolve = (parent, args, context, info) => {
      const id = nodeId(parent, args, context, info);
      return id instanceof Promise ? id.then(encode) : encode(id);
    };
  }
  return schema;
}
