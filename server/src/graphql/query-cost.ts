import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const QUERY_TOO_COSTLY = 'QUERY_TOO_COSTLY';

/** The answer to an operation over the budget. */
export const costRefusal = (cost: number, maxCost: number) =>
  new GraphQLError(`Query cost ${cost} exceeds the limit of ${maxCost}: ask for smaller pages`, {
    extensions: { code: QUERY_TOO_COSTLY, cost, maxCost },
  });

/** Prices kept per document (for as many operation and variables pairs), oldest dropped first. */
const PRICES_PER_DOCUMENT = 32;
/** Variables longer than this as JSON are priced on every request rather than kept. */
const MAX_KEY_LENGTH = 2_000;

/**
 * The price of the operation a request runs, as the schema prices its fields (builder.ts), or null
 * when it cannot run (no such operation, or variables that do not fit it): execution then refuses it
 * itself, before any resolver.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): number | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}).errors) return null;
  const definitions: DefinitionNode[] = [operation];
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) definitions.push(definition);
  return complexityFromQuery({ kind: Kind.DOCUMENT, definitions }, { schema, variables: variables ?? {} })
    .complexity;
}

/** Contexts of the requests whose operation useQueryCostLimit priced. */
const priced = new WeakSet<object>();

/** Whether this request's operation was priced before execution (builder.ts need not price it). */
export const pricedBeforeExecution = (context: object) => priced.has(context);

/**
 * The cost limit of queries: one over `maxCost` is refused with QUERY_TOO_COSTLY before it runs (no
 * resolver, no data). A price depends only on the document, the operation and the variables (the
 * field prices read no context), so it is kept per parsed document (Yoga's parser cache hands the
 * same document to the same query text) for the operation and variables it was computed for.
 *
 * Mutations and subscriptions are priced in their root field instead (builder.ts): their variables
 * may hold uploads, which coercing them here would take from the resolver.
 */
export function useQueryCostLimit(maxCost: number): Plugin {
  const prices = new WeakMap<DocumentNode, Map<string, number | null>>();
  const priceOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ) => {
    const key = `${operationName ?? ''} ${JSON.stringify(variables ?? {})}`;
    if (key.length > MAX_KEY_LENGTH) return operationCost(schema, document, operationName, variables);
    let known = prices.get(document);
    if (!known) prices.set(document, (known = new Map()));
    if (known.has(key)) return known.get(key)!;
    const price = operationCost(schema, document, operationName, variables);
    if (known.size >= PRICES_PER_DOCUMENT) known.delete(known.keys().next().value!);
    known.set(key, price);
    return price;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const { schema, document, operationName, variableValues, contextValue } = args;
      if (getOperationAST(document, operationName)?.operation !== OperationTypeNode.QUERY) return;
      priced.add(contextValue);
      const price = priceOf(schema, document, operationName, variableValues);
      if (price !== null && price > maxCost)
        setResultAndStopExecution({ errors: [costRefusal(price, maxCost)] });
    },
  };
}
