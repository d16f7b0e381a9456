import DataLoader from 'dataloader';
import type { LinkWithFile, VectorStoreFileStatus } from '../db/entities/vector-store-file.entity.ts';
import type { Services } from '../services/index.ts';

interface FirstLinksKey {
  vectorStoreId: string;
  status: VectorStoreFileStatus | null;
  limit: number;
}

/**
 * Per-request batching: a page of stores asking for their first files (with their Files) costs one
 * query, not one per store (no N+1).
 */
export function createLoaders(services: Services, accountId: string) {
  return {
    firstLinks: new DataLoader<FirstLinksKey, LinkWithFile[], string>(
      async (keys) => {
        // Keys of one request share status and page size in practice; group in case they do not.
        const groups = new Map<string, FirstLinksKey[]>();
        for (const key of keys) {
          const group = `${key.status}|${key.limit}`;
          groups.set(group, [...(groups.get(group) ?? []), key]);
        }
        const results = new Map<string, LinkWithFile[]>();
        for (const group of groups.values()) {
          const { status, limit } = group[0]!;
          const links = await services.files.firstLinksOfStores(
            accountId,
            group.map((k) => k.vectorStoreId),
            status,
            limit,
          );
          for (const [storeId, rows] of links) results.set(`${storeId}|${status}|${limit}`, rows);
        }
        return keys.map((k) => results.get(`${k.vectorStoreId}|${k.status}|${k.limit}`) ?? []);
      },
      { cacheKeyFn: (k) => `${k.vectorStoreId}|${k.status}|${k.limit}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
