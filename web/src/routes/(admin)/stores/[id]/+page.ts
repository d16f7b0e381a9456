import { error } from '@sveltejs/kit';
import { loadQuery } from '#lib/graphql/client.ts';
import { VECTOR_STORE_QUERY } from '#lib/graphql/documents.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params }) => {
  const result = await loadQuery(fetch, url, VECTOR_STORE_QUERY, { id: params.id });
  if (result.error !== null) error(503, result.error);
  // Missing and "belongs to another account" look the same, as the API intends.
  if (!result.data.vectorStore) error(404, 'No vector store with this id exists in your account.');
  return { store: result.data.vectorStore, now: Date.now() };
};
