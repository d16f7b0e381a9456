/**
 * Our own cross-site request check, used by `hooks.server.ts` in place of Kit's (see vite.config.ts).
 *
 * Kit compares the full Origin with the origin adapter-node derives, and adapter-node 6 assumes https when
 * no proxy header names the scheme, so a plain-http form POST would be refused. The host (name and port)
 * is what identifies the site here, and the browser always sends `Origin` on POST, so the rule is:
 * a state-changing request that a form could send cross-site must come from a page of this very host.
 */

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The content types a cross-site HTML form can send without a CORS preflight. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export interface RequestFacts {
  method: string;
  /** The Content-Type header, if any. */
  contentType: string | null;
  /** The Origin header, if any. */
  origin: string | null;
  /** The Sec-Fetch-Site header, if any (set by every current browser). */
  secFetchSite: string | null;
  /** The host (name:port) the request was sent to. */
  host: string;
}

function isFormLike(contentType: string | null): boolean {
  if (!contentType) return true;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return FORM_TYPES.includes(type);
}

/** True when the request must be refused as cross-site. */
export function isForbiddenCrossSite(request: RequestFacts): boolean {
  if (!MUTATING_METHODS.has(request.method.toUpperCase())) return false;
  // A browser saying so outright, whatever the content type.
  if (request.secFetchSite === 'cross-site') return true;
  if (!isFormLike(request.contentType)) return false; // anything else needs a CORS preflight we never grant
  if (!request.origin || request.origin === 'null') return true;
  try {
    return new URL(request.origin).host !== request.host;
  } catch {
    return true;
  }
}
