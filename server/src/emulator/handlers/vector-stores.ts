import { lexicalMatch, matchesFilter, queryTerms, textOf, type AttributeFilter } from '../content.ts';
import { badRequest } from '../errors.ts';
import { pageOf } from '../pagination.ts';
import { vectorStoreObject, listJson } from '../serialize.ts';
import {
  integerInRange,
  invalidType,
  numberInRange,
  oneOf,
  optionalBoolean,
  optionalString,
  parseChunking,
  parseFilter,
  parseListQuery,
  parseMetadata,
  parseStoreExpiration,
  rejectUnknownKeys,
  requireKey,
  stringArray,
  expectObject,
} from '../validation.ts';
import type { Reply, RequestContext } from './context.ts';

export function createVectorStore({ account, body }: RequestContext): Reply {
  rejectUnknownKeys(body, [
    'file_ids',
    'name',
    'description',
    'expires_after',
    'chunking_strategy',
    'metadata',
  ]);
  const fileIds = body.file_ids === undefined ? [] : stringArray(body.file_ids, 'file_ids', 0, 500);
  const files = fileIds.map((id, i) => {
    const file = account.files.get(id);
    if (file === undefined) throw badRequest(`No file found with id '${id}'.`, `file_ids[${i}]`);
    return file;
  });
  const chunking = parseChunking(body.chunking_strategy);
  const store = account.createStore({
    name: optionalString(body.name, 'name'),
    description: optionalString(body.description, 'description', 512),
    metadata: parseMetadata(body.metadata),
    expiresAfter: body.expires_after === undefined ? undefined : parseStoreExpiration(body.expires_after),
  });
  for (const file of files) account.attach(store, file, { chunking });
  return { json: vectorStoreObject(store) };
}

export function listVectorStores({ account, query }: RequestContext): Reply {
  const list = parseListQuery(query, { max: 100, default: 20, before: true });
  const page = pageOf(account.stores, account.stores, list);
  return { rawJson: listJson(page, (store) => JSON.stringify(vectorStoreObject(store))) };
}

export function retrieveVectorStore({ account, params }: RequestContext): Reply {
  return { json: vectorStoreObject(account.getStore(params.vector_store_id!)) };
}

export function modifyVectorStore({ account, params, body }: RequestContext): Reply {
  const store = account.getStore(params.vector_store_id!);
  rejectUnknownKeys(body, ['name', 'expires_after', 'metadata']);
  const name = body.name === null ? null : optionalString(body.name, 'name');
  const metadata = parseMetadata(body.metadata);
  const expiresAfter =
    body.expires_after === undefined || body.expires_after === null
      ? body.expires_after
      : parseStoreExpiration(body.expires_after);
  if (name !== undefined) store.name = name;
  if (metadata !== undefined) store.metadata = metadata ?? {};
  account.touch(store);
  if (expiresAfter !== undefined) account.setExpiration(store, expiresAfter);
  return { json: vectorStoreObject(store) };
}

export function deleteVectorStore({ account, params }: RequestContext): Reply {
  const store = account.deleteStore(params.vector_store_id!);
  return { json: { id: store.id, object: 'vector_store.deleted', deleted: true } };
}

/** Lexical search over the text of the store's completed files (no embeddings offline). */
export function searchVectorStore({ account, params, body }: RequestContext): Reply {
  const store = account.getStore(params.vector_store_id!);
  rejectUnknownKeys(body, ['query', 'rewrite_query', 'max_num_results', 'filters', 'ranking_options']);
  const rawQuery = requireKey(body, 'query');
  if (typeof rawQuery !== 'string' && !Array.isArray(rawQuery))
    throw invalidType('query', 'a string or array', rawQuery);
  const queries = typeof rawQuery === 'string' ? [rawQuery] : stringArray(rawQuery, 'query', 1, 100);
  optionalBoolean(body.rewrite_query, 'rewrite_query');
  const maxResults =
    body.max_num_results === undefined ? 10 : integerInRange(body.max_num_results, 'max_num_results', 1, 50);
  const filter: AttributeFilter | undefined =
    body.filters === undefined ? undefined : parseFilter(body.filters);
  let threshold = 0;
  if (body.ranking_options !== undefined) {
    const ranking = expectObject(body.ranking_options, 'ranking_options');
    rejectUnknownKeys(ranking, ['ranker', 'score_threshold'], 'ranking_options.');
    if (ranking.ranker !== undefined) {
      oneOf(ranking.ranker, 'ranking_options.ranker', ['none', 'auto', 'default-2024-11-15'] as const);
    }
    if (ranking.score_threshold !== undefined) {
      threshold = numberInRange(ranking.score_threshold, 'ranking_options.score_threshold', 0, 1);
    }
  }
  account.assertUsable(store);
  account.touch(store);

  const terms = queryTerms(queries);
  const results = [];
  for (const attached of store.files.withStatus('completed').values()) {
    if (filter !== undefined && !matchesFilter(attached.attributes, filter)) continue;
    const hit = lexicalMatch(textOf(attached.file.content), terms);
    if (hit === null || hit.score < threshold) continue;
    results.push({
      file_id: attached.id,
      filename: attached.file.filename,
      score: hit.score,
      attributes: attached.attributes,
      content: hit.chunks.map((text) => ({ type: 'text', text })),
    });
  }
  results.sort((a, b) => b.score - a.score);
  return {
    json: {
      object: 'vector_store.search_results.page',
      search_query: queries,
      data: results.slice(0, maxResults),
      has_more: false,
      next_page: null,
    },
  };
}
