import type { Plugin } from 'graphql-yoga';
import { bearerToken } from '../auth/token.ts';
import type { Principal } from '../services/account.service.ts';

/** The principal of each authenticated GraphQL request, set before its body is read. */
const principals = new WeakMap<Request, Principal>();

/** The principal `useAuthenticationFirst` found for this request (null: not a GraphQL request). */
export function principalOf(request: Request): Principal | null {
  return principals.get(request) ?? null;
}

export const UNAUTHENTICATED_MESSAGE = 'A valid bearer token is required';

/** The 401 every unauthenticated GraphQL request gets, whatever its body. */
export function unauthenticatedResponse(fetchAPI: { Response: typeof Response }): Response {
  return fetchAPI.Response.json(
    { errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] },
    { status: 401, headers: { 'www-authenticate': 'Bearer' } },
  );
}

/**
 * Checks the bearer token before anything else looks at a GraphQL request: no body is parsed, no
 * document validated and no upload byte written for a caller without a valid token, who always gets
 * 401 `UNAUTHENTICATED`. The principal is kept for the request's context and the upload parser.
 */
export function useAuthenticationFirst(options: {
  endpoint: string;
  authenticate: (token: string) => Promise<Principal | null>;
  /** Called with the caller's principal, or null, before the answer; may end the request itself. */
  admit?: (request: Request, principal: Principal | null) => Promise<Response | null>;
}): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== options.endpoint) return;
      const token = bearerToken(request.headers.get('authorization'));
      const principal = token ? await options.authenticate(token) : null;
      const refusal = (await options.admit?.(request, principal)) ?? null;
      if (refusal) return endResponse(refusal);
      if (!principal) return endResponse(unauthenticatedResponse(fetchAPI));
      principals.set(request, principal);
    },
  };
}
