/**
 * An error answered in OpenAI's envelope: `{ error: { message, type, param, code } }`, and for the
 * errors that real answers show it on (missing objects, invalid Files requests), a top-level
 * `detail: { message, code }` beside it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type: string = 'invalid_request_error',
    readonly withDetail = false,
  ) {
    super(message);
  }

  toBody(): {
    error: { message: string; type: string; param: string | null; code: string | null };
    detail?: { message: string; code: string | null };
  } {
    const error = { message: this.message, type: this.type, param: this.param, code: this.code };
    return this.withDetail ? { error, detail: { message: this.message, code: this.code } } : { error };
  }
}

export const badRequest = (message: string, param: string | null, code: string | null = null): ApiError =>
  new ApiError(400, message, param, code);

/** A missing object: 404, `param` naming the path parameter (`id` for Files), and a `detail`. */
export const notFound = (message: string, param: string): ApiError =>
  new ApiError(404, message, param, null, 'invalid_request_error', true);

/** A path parameter that cannot be an id at all: 400 before any lookup. */
export const malformedId = (param: string, value: string, expected: string): ApiError =>
  new ApiError(
    400,
    `Invalid '${param}': '${value}'. Expected an ID that ${expected}.`,
    param,
    'invalid_value',
  );

/** `sk-abcdef********wxyz`: the first 8 characters, stars, the last 4 (short keys: stars only). */
export function maskApiKey(key: string): string {
  if (key.length <= 12) return '*'.repeat(key.length);
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

/** What OpenAI answers to a key it does not know (or no longer knows). */
export const invalidApiKey = (key: string): ApiError =>
  new ApiError(
    401,
    `Incorrect API key provided: ${maskApiKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    null,
    'invalid_api_key',
  );

/** The messages OpenAI uses for faults, by status. */
export function faultError(status: number): ApiError {
  switch (status) {
    case 429:
      return new ApiError(429, 'Rate limit reached for requests.', null, 'rate_limit_exceeded', 'requests');
    case 500:
      return new ApiError(
        500,
        'The server had an error while processing your request. Sorry about that!',
        null,
        null,
        'server_error',
      );
    case 503:
      return new ApiError(503, 'The server is overloaded or not ready yet.', null, null, 'server_error');
    default:
      return new ApiError(
        status,
        `Injected fault: HTTP ${status}.`,
        null,
        null,
        status >= 500 ? 'server_error' : 'invalid_request_error',
      );
  }
}
