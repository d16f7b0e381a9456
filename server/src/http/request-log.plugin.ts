import { randomUUID } from 'node:crypto';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';

/** A client's own id is kept only if it is short and plain, so it cannot forge log lines. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes and scrapes are logged at debug only: they would drown the requests that matter. */
const QUIET_PATHS = new Set(['/health', '/live', '/metrics']);

interface RequestInfo {
  id: string;
  path: string;
  startedAt: number;
  operationName?: string;
}

/**
 * One JSON log line per HTTP request, with a request id: the client's `x-request-id` or a generated
 * one, returned in the response's `x-request-id` header. The line holds the method, path, status,
 * duration and GraphQL operation name, never headers, variables or the query text (no secrets).
 * For a subscription, the duration is the time to the start of the stream.
 */
export function useRequestLog(logger: Logger): Plugin {
  const requests = new WeakMap<Request, RequestInfo>();
  return {
    onRequest({ request, url }) {
      const given = request.headers.get('x-request-id');
      requests.set(request, {
        id: given && ACCEPTED_ID.test(given) ? given : randomUUID(),
        // The URL the server already parsed for this request (not parsed again per log line).
        path: url.pathname,
        startedAt: performance.now(),
      });
    },
    onParams({ params, request }) {
      const info = requests.get(request);
      if (info && params.operationName) info.operationName = params.operationName;
    },
    // Validation sees every parsed document, executed or refused.
    onValidate({ params, context }) {
      const request = (context as { request?: Request }).request;
      const info = request && requests.get(request);
      if (info && !info.operationName) {
        const operationName = (context as { params?: { operationName?: string } }).params?.operationName;
        info.operationName = getOperationAST(params.documentAST, operationName)?.name?.value;
      }
    },
    onResponse({ request, response }) {
      const info = requests.get(request);
      if (!info) return;
      response.headers.set('x-request-id', info.id);
      const { path } = info;
      const line = {
        requestId: info.id,
        method: request.method,
        path,
        status: response.status,
        durationMs: Math.round((performance.now() - info.startedAt) * 10) / 10,
        ...(info.operationName ? { operationName: info.operationName } : {}),
      };
      if (QUIET_PATHS.has(path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    },
  };
}
