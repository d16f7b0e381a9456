/** An error answered in OpenAI's envelope: `{ error: { message, type, param, code } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type: string = 'invalid_request_error',
  ) {
    super(message);
  }

  toBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null, code: string | null = null): ApiError =>
  new ApiError(400, message, param, code);

export const notFound = (message: string): ApiError => new ApiError(404, message);

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
