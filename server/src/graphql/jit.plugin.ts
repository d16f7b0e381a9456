import {
  getNamedType,
  getOperationAST,
  isInputObjectType,
  isScalarType,
  isSpecifiedScalarType,
  typeFromAST,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';

/** Compiled operations kept, least recently used dropped first. */
const MAX_COMPILED = 500;

/** An operation graphql-jit cannot compile: run by graphql-js instead, and not tried again. */
const NOT_COMPILED = Symbol('not compiled');

type Entry = CompiledQuery | typeof NOT_COMPILED;

/**
 * Whether a variable can hold a custom scalar (`File`, `DateTime`), directly or inside an input
 * object. graphql-jit replaces such a scalar's own parse error with "Expected type X", and a `File`
 * is taken from its staging area when parsed, so it must be parsed exactly once, by graphql-js.
 */
function takesCustomScalar(schema: GraphQLSchema, operation: OperationDefinitionNode) {
  const seen = new Set<GraphQLNamedType>();
  const custom = (type: GraphQLNamedType | undefined): boolean => {
    if (!type || seen.has(type)) return false;
    seen.add(type);
    if (isScalarType(type)) return !isSpecifiedScalarType(type);
    if (isInputObjectType(type))
      return Object.values(type.getFields()).some((field) => custom(getNamedType(field.type)));
    return false;
  };
  return (operation.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type);
    return !type || custom(getNamedType(type));
  });
}

const adapted = new WeakSet<GraphQLSchema>();

/**
 * graphql-jit hands resolvers `info.variableValues` as the plain map of coerced values; graphql 17
 * (and the Pothos complexity check, which calls its `getArgumentValues` from the root fields) expects
 * `{ sources, coerced }`. Root fields get the graphql 17 shape; graphql-js's own calls pass through.
 */
function adaptRootResolvers(schema: GraphQLSchema) {
  if (adapted.has(schema)) return;
  adapted.add(schema);
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const resolve = field.resolve;
      if (!resolve) continue;
      field.resolve = (source, args, context, info) => {
        const values = info.variableValues as unknown as Record<string, unknown> | undefined;
        if (values && !('coerced' in values && 'sources' in values)) {
          info = { ...info, variableValues: { sources: {}, coerced: values } as never };
        }
        return resolve(source, args, context, info);
      };
    }
  }
}

/**
 * Queries and mutations run as code graphql-jit compiles once per (document, operation name);
 * subscriptions, and any operation it cannot compile, stay on graphql-js. Yoga's parse cache hands
 * back the same document object for the same text, so the document itself keys the cache.
 */
export function useJitExecution(logger: Logger, maxCompiled = MAX_COMPILED): Plugin {
  const cache = new Map<string, Entry>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  let compiledSchema: GraphQLSchema | undefined;

  function compiled(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null) {
    if (schema !== compiledSchema) {
      cache.clear();
      compiledSchema = schema;
      adaptRootResolvers(schema);
    }
    let documentId = documentIds.get(document);
    if (documentId === undefined) documentIds.set(document, (documentId = nextDocumentId++));
    const key = `${documentId}:${operationName ?? ''}`;
    let entry = cache.get(key);
    if (entry !== undefined) {
      // Most recently used last.
      cache.delete(key);
      cache.set(key, entry);
      return entry;
    }
    entry = NOT_COMPILED;
    const operation = getOperationAST(document, operationName);
    if (operation && operation.operation !== 'subscription' && !takesCustomScalar(schema, operation)) {
      try {
        const result = compileQuery(schema, document, operationName ?? undefined);
        if (isCompiledQuery(result)) entry = result;
        else logger.debug({ errors: result.errors }, 'graphql-jit could not compile an operation');
      } catch (err) {
        logger.debug({ err }, 'graphql-jit could not compile an operation');
      }
    }
    cache.set(key, entry);
    if (cache.size > maxCompiled) cache.delete(cache.keys().next().value!);
    return entry;
  }

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const entry = compiled(args.schema, args.document, args.operationName);
      if (entry === NOT_COMPILED) return;
      setExecuteFn((executeArgs) => {
        const result = entry.query(
          executeArgs.rootValue,
          executeArgs.contextValue,
          executeArgs.variableValues,
        ) as ExecutionResult | Promise<ExecutionResult>;
        // A synchronous result without `data`: the variables were refused before any resolver ran.
        // graphql-js then says why, in its own words.
        return 'then' in result || 'data' in result ? result : executeFn(executeArgs);
      });
    },
  };
}
