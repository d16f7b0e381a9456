import SchemaBuilder from '@pothos/core';
import ComplexityPlugin, { type FieldComplexityValue } from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { getNullableType, GraphQLError, isListType, Kind, type GraphQLField } from 'graphql';
import type { GraphQLContext } from './context.ts';
import { costRefusal, pricedBeforeExecution } from './query-cost.ts';
import { takeStagedUpload, type StagedUpload } from '../uploads/staged-upload.ts';

/** What a connection returns when neither `first` nor `last` is given (see resolveCursorConnection). */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * The cost of a field for the query cost limit, computed with the request's variables resolved:
 * every field costs 1, and what is selected under it counts once per item it can return. A
 * connection multiplies by the page it asks for (`first`/`last`, literal or variable), `nodes(ids)`
 * by the ids given, other lists (at most a few dozen entries in this schema) by 10. A connection's
 * `edges` list adds no multiplier of its own: the connection already counted its page. It reads no
 * context: the price of a query is kept for its document and variables (query-cost.ts).
 */
function fieldCost(
  args: Record<string, unknown>,
  _context: GraphQLContext,
  field: GraphQLField<unknown, GraphQLContext>,
) {
  const takes = (name: string) => field.args.some((arg) => arg.name === name);
  if (takes('first') && takes('last')) {
    const pageSize = (args.first ?? args.last ?? DEFAULT_PAGE_SIZE) as number;
    return { field: 1, multiplier: pageSize } satisfies FieldComplexityValue;
  }
  if (Array.isArray(args.ids)) return { field: 1, multiplier: args.ids.length };
  return isListType(getNullableType(field.type)) ? { field: 1, multiplier: 10 } : 1;
}

/**
 * The cost budget of one operation, as `fieldCost` prices it. The web app's largest documents cost
 * about 2,600 (100 stores with their summary; a store with 100 of its files) and the benchmark's list
 * page (50 stores with 5 files each) about 2,550; 100 stores with 100 files each (about 70,000) is
 * refused.
 */
export const MAX_QUERY_COST = 20_000;

/** The schema builder, its plugins and scalars. Domain types live in `types/`. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { viewer: boolean; admin: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    File: { Input: StagedUpload; Output: never };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DataloaderPlugin, ComplexityPlugin],
  // Queries are priced before execution, once per document and variables (useQueryCostLimit, in
  // app.ts). Mutations and subscriptions are priced here, with the request's variables coerced, before
  // their root field resolves: a refused operation runs no resolver (app.ts then drops the partial data).
  complexity: {
    fieldComplexity: fieldCost,
    limit: (context) => (pricedBeforeExecution(context) ? {} : { complexity: MAX_QUERY_COST }),
    complexityError: (_kind, { complexity }) => costRefusal(complexity, MAX_QUERY_COST),
  },
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      viewer: context.principal !== null,
      admin: context.principal?.role === 'ADMIN',
    }),
    // A refused scope is a FORBIDDEN error, whichever field it guards.
    unauthorizedError: () =>
      new GraphQLError('This operation needs the ADMIN role', { extensions: { code: 'FORBIDDEN' } }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeTypeOptions: { description: 'An object with a global id.' },
    pageInfoTypeOptions: { description: 'Where a page stands in its connection.' },
    edgesFieldOptions: { complexity: { field: 1, multiplier: 1 } },
  },
  errors: { defaultTypes: [] },
});

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC (e.g. `2026-11-26T05:03:28.000Z`).',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 string');
    return date;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO 8601 string');
    const date = new Date(ast.value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 string');
    return date;
  },
});

builder.queryType({
  description: 'Everything a token of an account may read. All queries need the VIEWER role or higher.',
});

builder.scalarType('File', {
  description:
    'A file sent with the GraphQL multipart request spec. It is streamed to disk before the resolver runs, ' +
    'so its size is bounded by the upload limit, not by memory.',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar');
  },
  parseValue: (value) => {
    const upload = typeof value === 'string' ? takeStagedUpload(value) : null;
    if (!upload) throw new GraphQLError('File must be a file part of a multipart request');
    return upload;
  },
});

builder.mutationType({
  description: 'Changes. Every mutation needs the ADMIN role; expected failures are typed errors in results.',
});

builder.subscriptionType({
  description:
    'Live events over Server-Sent Events at the GraphQL endpoint. Needs the VIEWER role or higher.',
});
