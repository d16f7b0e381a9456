import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError, Kind } from 'graphql';
import type { GraphQLContext } from './context.ts';
import { takeStagedUpload, type StagedUpload } from '../uploads/staged-upload.ts';

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
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DataloaderPlugin],
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
