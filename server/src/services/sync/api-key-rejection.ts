import { AuthenticationError } from 'openai';

/**
 * OpenAI refused the account's API key (401, e.g. `invalid_api_key`). Every request of the run
 * would fail alike, so the run stops on the first one, and scheduled runs wait until the key
 * changes or an admin asks for a sync.
 */
export class ApiKeyRejectedError extends Error {
  constructor(readonly code: string) {
    super(`OpenAI rejected the API key (${code})`);
  }
}

/** The rejection an error stands for, or null for any other error. */
export function asApiKeyRejection(error: unknown): ApiKeyRejectedError | null {
  if (error instanceof ApiKeyRejectedError) return error;
  if (!(error instanceof AuthenticationError)) return null;
  const code = typeof error.code === 'string' && error.code !== '' ? error.code : 'unauthorized';
  return new ApiKeyRejectedError(code);
}

/** The run's error message, naming the account (never the key). */
export const apiKeyRejectedMessage = (accountName: string, code: string): string =>
  `OpenAI rejected the API key of account ${accountName} (${code})`;
