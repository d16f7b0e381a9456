import type { Plugin } from 'graphql-yoga';
import { bearerToken } from '../auth/token.ts';
import type { Principal } from '../services/account.service.ts';
import { clientAddress, trustedPeers } from './client-address.ts';
import type { RateLimits, Wait } from './rate-limits.ts';

/** The principal of each authenticated GraphQL request, set before its body is read. */
const principals = new WeakMap<Request, Principal>();

/** The principal `useAuthenticationFirst` found for this request (null: not a GraphQL request). */
export function principalOf(request: Request): Principal | null {
  return principals.get(request) ?? null;
}

export const UNAUTHENTICATED_MESSAGE = 'A valid bearer token is required';

type ResponseFactory = { Response: typeof Response };

/** The 401 every unauthenticated GraphQL request gets, whatever its body. */
function unauthenticatedResponse(fetchAPI: ResponseFactory): Response {
  return fetchAPI.Response.json(
    { errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] },
    { status: 401, headers: { 'www-authenticate': 'Bearer' } },
  );
}

function rateLimitedResponse(fetchAPI: ResponseFactory, wait: Wait, message: string): Response {
  return fetchAPI.Response.json(
    { errors: [{ message, extensions: { code: 'RATE_LIMITED' } }] },
    { status: 429, headers: { 'retry-after': String(wait) } },
  );
}

/**
 * Checks the bearer token before anything else looks at a GraphQL request: no body is parsed, no
 * document validated and no upload byte written for a caller without a valid token, who always gets
 * 401 `UNAUTHENTICATED`. Rate limits apply here too: per token once it is known, and per client
 * address for requests without a valid token (a refused address is refused before the token lookup).
 */
export function useAuthenticationFirst(options: {
  endpoint: string;
  authenticate: (token: string) => Promise<Principal | null>;
  limits?: RateLimits;
  /** Addresses and subnets whose `X-Forwarded-For` names the client. */
  trustedProxies: readonly string[];
}): Plugin {
  const { limits } = options;
  const trusted = trustedPeers(options.trustedProxies);
  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== options.endpoint) return;
      const address = limits ? clientAddress(request, serverContext, trusted) : '';
      const blocked = limits?.blockedAddress(address) ?? 0;
      if (blocked > 0) {
        return endResponse(
          rateLimitedResponse(fetchAPI, blocked, 'Too many unauthenticated requests: slow down'),
        );
      }
      const token = bearerToken(request.headers.get('authorization'));
      const principal = token ? await options.authenticate(token) : null;
      if (!principal) {
        const wait = (await limits?.takeForUnauthenticated(address)) ?? 0;
        return endResponse(
          wait > 0
            ? rateLimitedResponse(fetchAPI, wait, 'Too many unauthenticated requests: slow down')
            : unauthenticatedResponse(fetchAPI),
        );
      }
      const wait = (await limits?.takeForToken(principal.tokenId)) ?? 0;
      if (wait > 0) {
        return endResponse(
          rateLimitedResponse(fetchAPI, wait, 'Too many requests for this token: slow down'),
        );
      }
      principals.set(request, principal);
    },
  };
}
