/** Where sign-in sends people back to, kept to local paths. */

/** A stand-in origin: a target is local when it resolves to this origin, and stays there re-parsed. */
const LOCAL = new URL('http://local.vs-align.invalid/');
const SIGN_IN_PAGES = ['/sign-in', '/sign-out'];

/**
 * Only same-origin paths, so a crafted `redirectTo` cannot send people elsewhere after sign-in. Decided
 * by the URL parser, as a browser would read the target (backslashes, tabs, `//host`, schemes), and the
 * result is the normalised path, re-checked so that it cannot be read as another host either.
 */
export function safeRedirectTarget(raw: string | null): string {
  if (!raw) return '/';
  let url: URL;
  try {
    url = new URL(raw, LOCAL);
  } catch {
    return '/';
  }
  if (url.origin !== LOCAL.origin || raw.startsWith(LOCAL.origin)) return '/';
  const target = url.pathname + url.search + url.hash;
  if (new URL(target, LOCAL).origin !== LOCAL.origin) return '/';
  if (SIGN_IN_PAGES.some((page) => url.pathname === page || url.pathname.startsWith(`${page}/`))) return '/';
  return target;
}

/** The sign-in page, remembering the page that needed it. */
export function signInHref(url: URL): string {
  const target = url.pathname + url.search;
  return target === '/' ? '/sign-in' : `/sign-in?redirectTo=${encodeURIComponent(target)}`;
}
