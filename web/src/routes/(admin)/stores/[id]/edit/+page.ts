import { error } from '@sveltejs/kit';
import { loadQuery } from '#lib/graphql/client.ts';
import { VECTOR_STORE_QUERY } from '#lib/graphql/documents.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params }) => {
  const result = await loadQuery(fetch, url, VECTOR_STORE_QUERY, { id: params.id, filesFirst: 1 });
  const notFound = result.error === null ? !result.data.vectorStore : result.notFound;
  if (notFound) error(404, 'No vector store with this id exists in your account.');
  if (result.error !== null) error(503, result.error);
  return { store: result.data.vectorStore! };
};
