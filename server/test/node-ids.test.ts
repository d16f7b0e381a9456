import { encodeGlobalID } from '@pothos/plugin-relay';
import { isInterfaceType, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/schema.ts';

describe('node ids', () => {
  it("resolve without a promise, to the global id the relay plugin encodes from the node's own id", () => {
    const node = schema.getType('Node');
    if (!isInterfaceType(node)) throw new Error('no Node interface');
    const types = schema.getPossibleTypes(node);
    expect(types.map((type) => type.name).sort()).toEqual([
      'Account',
      'FileObject',
      'SyncRun',
      'VectorStore',
    ]);
    for (const type of types) {
      const id = type.getFields().id!.resolve!({ id: 'a1b2' }, {}, {}, {} as GraphQLResolveInfo);
      expect(id).toBe(encodeGlobalID(type.name, 'a1b2'));
    }
  });
});
