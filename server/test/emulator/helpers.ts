import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { matchRoute, startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';

/**
 * Test harness: a real emulator on a free port, SDK clients whose every response body is validated
 * against OpenAI's component schemas (openapi-schemas.json, extracted from openapi.yaml), and a
 * plain-fetch client for the control API.
 */

const spec = JSON.parse(readFileSync(new URL('./openapi-schemas.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, unknown> };
};

// OpenAPI 3.1 schemas are JSON Schema 2020-12. Not strict: the spec carries x-* and OpenAPI keywords.
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addFormat('unixtime', {
  type: 'number',
  validate: (value: number) => Number.isInteger(value) && value >= 0,
});
ajv.addSchema({ $id: 'openai', components: spec.components });

/** Validates `body` against `#/components/schemas/<name>`; returns the errors, or null when valid. */
export function schemaErrors(name: string, body: unknown): string | null {
  const validate = ajv.getSchema(`openai#/components/schemas/${name}`);
  if (validate === undefined) throw new Error(`No schema ${name}`);
  return validate(body) ? null : ajv.errorsText(validate.errors);
}

export interface ValidationLog {
  validated: number;
  failures: string[];
}

/** A fetch that checks each /v1 response body against the schema of its route (errors: ErrorResponse). */
export function validatingFetch(log: ValidationLog): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const request = new Request(input, init);
    const url = new URL(request.url);
    const match = matchRoute(request.method, url.pathname);
    const schema = response.status >= 400 ? 'ErrorResponse' : (match?.route.response ?? null);
    if (schema !== null) {
      const text = await response.clone().text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const errors = schemaErrors(schema, body);
      log.validated++;
      if (errors !== null) log.failures.push(`${request.method} ${url.pathname} (${schema}): ${errors}`);
    }
    return response;
  };
}

export interface TestEmulator extends RunningEmulator {
  log: ValidationLog;
  /** An SDK client for `apiKey` (no retries unless asked), validating every response. */
  client(apiKey?: string, options?: { maxRetries?: number; timeout?: number }): OpenAI;
  /** Calls the control API with plain fetch. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A raw /v1 request (for what the SDK cannot send); the body is validated like SDK responses. */
  raw(
    method: string,
    path: string,
    init?: { apiKey?: string | null; body?: unknown },
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
}

export async function startTestEmulator(options: { attachDelayMs?: number } = {}): Promise<TestEmulator> {
  const running = await startEmulator({ port: 0, attachDelayMs: options.attachDelayMs ?? 20 });
  const log: ValidationLog = { validated: 0, failures: [] };
  const checkedFetch = validatingFetch(log);
  const origin = running.url.replace(/\/v1$/, '');
  return {
    ...running,
    log,
    client: (apiKey = 'sk-test', clientOptions = {}) =>
      new OpenAI({ apiKey, baseURL: running.url, maxRetries: 0, fetch: checkedFetch, ...clientOptions }),
    async control<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${origin}/__emulator/${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as T;
      if (!response.ok)
        throw new Error(`control ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    },
    async raw(method, path, init = {}) {
      const headers: Record<string, string> = {};
      const apiKey = init.apiKey === undefined ? 'sk-test' : init.apiKey;
      if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const response = await checkedFetch(`${running.url}${path}`, {
        method,
        headers,
        ...(init.body === undefined
          ? {}
          : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text === '' ? null : (JSON.parse(text) as unknown),
        headers: response.headers,
      };
    },
  };
}

/** Polls until `check` passes or `timeoutMs` elapses. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
