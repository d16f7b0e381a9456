import DataLoader from 'dataloader';
import type { FileEntity } from '../db/entities/file.entity.ts';
import type {
  VectorStoreFileEntity,
  VectorStoreFileStatus,
} from '../db/entities/vector-store-file.entity.ts';
import { isUuid } from '../services/ids.ts';
import type { Services } from '../services/index.ts';

interface FirstLinksKey {
  vectorStoreId: string;
  status: VectorStoreFileStatus | null;
  limit: number;
}

/**
 * Per-request batching: a page of stores asking for their first files, and those files, costs one
 * query per kind, not one per store (no N+1).
 */
export function createLoaders(services: Services, accountId: string) {
  return {
    file: new DataLoader<string, FileEntity | null>(async (ids) => {
      const rows = await services.files.findByIds(accountId, ids.filter(isUuid));
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    firstLinks: new DataLoader<FirstLinksKey, VectorStoreFileEntity[], string>(
      async (keys) => {
        // Keys of one request share status and page size in practice; group in case they do not.
        const groups = new Map<string, FirstLinksKey[]>();
        for (const key of keys) {
          const group = `${key.status}|${key.limit}`;
          groups.set(group, [...(groups.get(group) ?? []), key]);
        }
        const results = new Map<string, VectorStoreFileEntity[]>();
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
