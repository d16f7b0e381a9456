import type { DocumentNode, FragmentDefinitionNode, SelectionSetNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { STORE_LIST_FIELDS } from '../../src/graphql/types/vector-store.ts';

// The web app's documents, imported at run time: they lie outside the server's TypeScript project.
const webDocuments = new URL('../../../web/src/lib/graphql/documents.ts', import.meta.url).href;
const { VECTOR_STORE_QUERY, VECTOR_STORES_QUERY } = (await import(webDocuments)) as Record<
  'VECTOR_STORE_QUERY' | 'VECTOR_STORES_QUERY',
  DocumentNode
>;

/** The fields a document selects on each store of `vectorStores`, through its fragments. */
function storeFieldsOf(document: DocumentNode, path: string[]): Set<string> {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition')
      .map((d) => [d.name.value, d]),
  );
  const children = (set: SelectionSetNode, name: string): SelectionSetNode[] =>
    set.selections.flatMap((s) => {
      if (s.kind === 'Field') return s.name.value === name && s.selectionSet ? [s.selectionSet] : [];
      const inner = s.kind === 'FragmentSpread' ? fragments.get(s.name.value)!.selectionSet : s.selectionSet;
      return children(inner, name);
    });
  const names = (set: SelectionSetNode): string[] =>
    set.selections.flatMap((s) => {
      if (s.kind === 'Field') return [s.name.value];
      return names(s.kind === 'FragmentSpread' ? fragments.get(s.name.value)!.selectionSet : s.selectionSet);
    });
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition')!;
  let sets = [operation.selectionSet];
  for (const name of path) sets = sets.flatMap((set) => children(set, name));
  return new Set(sets.flatMap(names));
}

describe("the web app's own documents", () => {
  it('the store list asks only for what the list read serves (no details read per page)', () => {
    const asked = storeFieldsOf(VECTOR_STORES_QUERY, ['vectorStores', 'edges', 'node']);
    expect(asked.size).toBeGreaterThan(5);
    expect([...asked].filter((field) => !STORE_LIST_FIELDS.has(field))).toEqual([]);
  });

  it('the store page asks for details, which the list read does not serve', () => {
    const asked = storeFieldsOf(VECTOR_STORE_QUERY, ['vectorStore']);
    expect([...asked].filter((field) => !STORE_LIST_FIELDS.has(field))).toEqual(
      expect.arrayContaining(['description', 'metadata', 'expirationPolicy']),
    );
  });
});
