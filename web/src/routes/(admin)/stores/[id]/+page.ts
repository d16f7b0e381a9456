import { error } from '@sveltejs/kit';
import { loadQuery } from '#lib/graphql/client.ts';
import { VECTOR_STORE_QUERY } from '#lib/graphql/documents.ts';
import type { VectorStoreVariables } from '#lib/graphql/document-types.ts';
import type { PageLoad } from './$types';

const FILES_PAGE_SIZE = 25;

export const load: PageLoad = async ({ fetch, url, params }) => {
  // The files table pages with cursors in the query string, like the store list.
  const after = url.searchParams.get('after');
  const before = after ? null : url.searchParams.get('before');
  const variables: VectorStoreVariables = before
    ? { id: params.id, filesLast: FILES_PAGE_SIZE, filesBefore: before }
    : { id: params.id, filesFirst: FILES_PAGE_SIZE, ...(after ? { filesAfter: after } : {}) };

  const result = await loadQuery(fetch, url, VECTOR_STORE_QUERY, variables);
  // Missing, malformed and "belongs to another account" look the same, as the API intends.
  const notFound = result.error === null ? !result.data.vectorStore : result.notFound;
  if (notFound) error(404, 'No vector store with this id exists in your account.');
  if (result.error !== null) error(503, result.error);
  return { store: result.data.vectorStore!, after, before, now: Date.now() };
};
