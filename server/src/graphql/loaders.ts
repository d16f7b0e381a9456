import DataLoader from 'dataloader';
import type { LinkWithFile, VectorStoreFileStatus } from '../db/entities/vector-store-file.entity.ts';
import type { Services } from '../services/index.ts';

/**
 * Per-request batching: a page of stores asking for their first files (with their Files) costs one
 * query, not one per store (no N+1). There is one loader per (status, page size, details) a request
 * asks with, keyed by store id; in practice a request has one.
 */
export function createLoaders(services: Services, accountId: string) {
  const firstLinks = new Map<string, DataLoader<string, LinkWithFile[]>>();
  return {
    firstLinks(
      status: VectorStoreFileStatus | null,
      limit: number,
      details: boolean,
    ): DataLoader<string, LinkWithFile[]> {
      const key = `${status}|${limit}|${details}`;
      let loader = firstLinks.get(key);
      if (!loader) {
        loader = new DataLoader(async (storeIds) => {
          const links = await services.files.firstLinksOfStores(accountId, storeIds, status, limit, details);
          return storeIds.map((id) => links.get(id) ?? []);
        });
        firstLinks.set(key, loader);
      }
      return loader;
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
