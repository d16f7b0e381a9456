import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/**
 * `graphql()` types every document from `schema.graphql` (through the generated `graphql-env.d.ts`), and
 * `gql-tada check` in `pnpm check` refuses a document the schema does not answer. Masking is off: the
 * components read fragment fields straight from the query results, as the API sends them.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: {
    /** ISO 8601 on the wire. */
    DateTime: string;
    /** Only sent, as a multipart part (see upload.ts); never received. */
    File: null;
  };
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';

/** The values of one of the schema's enums. */
export type SchemaEnum<Name extends keyof introspection['types']> = introspection['types'][Name] extends {
  enumValues: infer Values;
}
  ? Values
  : never;
