import { GRAPHQL_PATH } from './graphql/client.ts';
import { print } from 'graphql';
import { UPLOAD_FILE_MUTATION } from './graphql/documents.ts';
import type { UploadResult } from './graphql/document-types.ts';
import type { ResultOf } from './graphql/graphql.ts';

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** The body of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec). */
export function multipartBody(vectorStoreId: string, file: Blob, filename: string): FormData {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: print(UPLOAD_FILE_MUTATION),
      variables: { input: { vectorStoreId, file: null } },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.append('0', file, filename);
  return form;
}

export type UploadOutcome =
  { kind: 'done'; result: UploadResult } | { kind: 'error'; message: string; status: number };

/**
 * Uploads one file with XMLHttpRequest, the one browser API that reports upload progress, through the
 * same-origin proxy. `GraphQL-Require-Preflight` is what the API requires of multipart requests (no
 * cross-site form can send it).
 */
export function uploadFile(
  vectorStoreId: string,
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', GRAPHQL_PATH);
    xhr.setRequestHeader('GraphQL-Require-Preflight', '1');
    xhr.setRequestHeader('Accept', 'application/graphql-response+json, application/json');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    };
    xhr.onload = () => {
      const body = xhr.response as {
        data?: ResultOf<typeof UPLOAD_FILE_MUTATION>;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      } | null;
      if (xhr.status === 401) {
        resolve({ kind: 'error', status: 401, message: 'Your session has ended: sign in again.' });
      } else if (xhr.status === 413) {
        resolve({ kind: 'error', status: 413, message: 'The file is larger than the server accepts.' });
      } else if (body?.data?.uploadVectorStoreFile) {
        resolve({ kind: 'done', result: body.data.uploadVectorStoreFile });
      } else {
        const first = body?.errors?.[0];
        const message =
          first?.extensions?.code === 'FORBIDDEN'
            ? 'Your role (viewer) may look but not change anything.'
            : (first?.message ?? `The upload failed (HTTP ${xhr.status}).`);
        resolve({ kind: 'error', status: xhr.status, message });
      }
    };
    xhr.onerror = () =>
      resolve({ kind: 'error', status: 0, message: 'The upload was interrupted: check the connection.' });
    xhr.onabort = () => resolve({ kind: 'error', status: 0, message: 'The upload was cancelled.' });
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(multipartBody(vectorStoreId, file, file.name));
  });
}
