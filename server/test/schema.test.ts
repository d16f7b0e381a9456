import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/config.ts';
import { printedSchema } from '../src/graphql/print-schema.ts';

describe('schema.graphql', () => {
  it('is the schema the code prints (run `pnpm schema` after changing GraphQL types)', async () => {
    const committed = await readFile(path.join(repoRoot, 'schema.graphql'), 'utf8');
    expect(committed).toBe(printedSchema());
  });

  it('is a valid schema', async () => {
    const { validateSchema } = await import('graphql');
    const { schema } = await import('../src/graphql/schema.ts');
    expect(validateSchema(schema).map((e) => e.message)).toEqual([]);
  });

  it('keeps the names outside clients rely on', () => {
    const schema = printedSchema();
    for (const name of [
      'type VectorStore implements Node',
      'enum VectorStoreSource',
      'enum StorageBackend',
      'enum VectorStoreStatus',
      'enum ExpirationKind',
      'enum Role',
      'type ReadOnlyMirrorError',
      'type NotFoundError',
      'type ValidationError',
    ]) {
      expect(schema).toContain(name);
    }
  });
});
