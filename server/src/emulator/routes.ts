import type { Reply, RequestContext } from './handlers/context.ts';
import * as batches from './handlers/file-batches.ts';
import * as files from './handlers/files.ts';
import * as storeFiles from './handlers/vector-store-files.ts';
import * as stores from './handlers/vector-stores.ts';

export type Method = 'GET' | 'POST' | 'DELETE';
type Handler = (ctx: RequestContext, attachDelayMs: number) => Reply;

/** One endpoint of vector-stores-api.md, with the openapi.yaml schema of its 200 body. */
export interface Route {
  method: Method;
  /** The path template, as stats report it: `/v1/vector_stores/{vector_store_id}/files`. */
  path: string;
  body: 'none' | 'json' | 'multipart';
  /** Component schema of the success body; null for raw bytes. */
  response: string | null;
  handle: Handler;
}

const route = (method: Method, path: string, response: string | null, handle: Handler): Route => ({
  method,
  path,
  body: method === 'POST' ? (path === '/v1/files' ? 'multipart' : 'json') : 'none',
  response,
  handle,
});

const VS = '/v1/vector_stores/{vector_store_id}';
const BATCH = `${VS}/file_batches/{batch_id}`;

export const ROUTES: readonly Route[] = [
  route('POST', '/v1/vector_stores', 'VectorStoreObject', stores.createVectorStore),
  route('GET', '/v1/vector_stores', 'ListVectorStoresResponse', stores.listVectorStores),
  route('GET', VS, 'VectorStoreObject', stores.retrieveVectorStore),
  route('POST', VS, 'VectorStoreObject', stores.modifyVectorStore),
  route('DELETE', VS, 'DeleteVectorStoreResponse', stores.deleteVectorStore),
  route('POST', `${VS}/search`, 'VectorStoreSearchResultsPage', stores.searchVectorStore),
  route('POST', `${VS}/files`, 'VectorStoreFileObject', storeFiles.attachFile),
  route('GET', `${VS}/files`, 'ListVectorStoreFilesResponse', storeFiles.listFiles),
  route('GET', `${VS}/files/{file_id}`, 'VectorStoreFileObject', storeFiles.retrieveFile),
  route('POST', `${VS}/files/{file_id}`, 'VectorStoreFileObject', storeFiles.updateFileAttributes),
  route('DELETE', `${VS}/files/{file_id}`, 'DeleteVectorStoreFileResponse', storeFiles.detachFile),
  route('GET', `${VS}/files/{file_id}/content`, 'VectorStoreFileContentResponse', storeFiles.fileContent),
  route('POST', `${VS}/file_batches`, 'VectorStoreFileBatchObject', batches.createFileBatch),
  route('GET', BATCH, 'VectorStoreFileBatchObject', batches.retrieveFileBatch),
  route('POST', `${BATCH}/cancel`, 'VectorStoreFileBatchObject', batches.cancelFileBatch),
  route('GET', `${BATCH}/files`, 'ListVectorStoreFilesResponse', batches.listFileBatchFiles),
  route('POST', '/v1/files', 'OpenAIFile', files.uploadFile),
  route('GET', '/v1/files', 'ListFilesResponse', files.listFiles),
  route('GET', '/v1/files/{file_id}', 'OpenAIFile', files.retrieveFile),
  route('DELETE', '/v1/files/{file_id}', 'DeleteFileResponse', files.deleteFile),
  route('GET', '/v1/files/{file_id}/content', null, files.fileContent),
];

const compiled = ROUTES.map((r) => ({ route: r, segments: r.path.split('/') }));

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
  /** `METHOD /template`, the key of stats and of fault `routes`. */
  key: string;
}

export function matchRoute(method: string, pathname: string): RouteMatch | null {
  const segments = pathname.split('/');
  for (const { route: candidate, segments: pattern } of compiled) {
    if (candidate.method !== method || pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      const actual = segments[i]!;
      if (part.startsWith('{')) {
        if (actual === '') return false;
        params[part.slice(1, -1)] = decodeURIComponent(actual);
        return true;
      }
      return part === actual;
    });
    if (matches) return { route: candidate, params, key: `${method} ${candidate.path}` };
  }
  return null;
}
