import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { auditMutations } from './audit.ts';
import { builder } from './builder.ts';
import { resolveNodeIdsSynchronously } from './node-ids.ts';
import './errors.ts';
import './types/viewer.ts';
import './types/vector-store.ts';
import './types/file.ts';
import './types/vector-store-mutations.ts';
import './types/orphans.ts';
import './types/sync-run.ts';
import './types/audit.ts';
import './types/usage.ts';

/**
 * The schema, sorted so that its printed form is stable; every mutation writes an audit event; node
 * ids resolve without a promise.
 */
export const schema: GraphQLSchema = auditMutations(
  resolveNodeIdsSynchronously(lexicographicSortSchema(builder.toSchema())),
);
