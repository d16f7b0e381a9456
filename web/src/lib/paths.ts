/** Where sign-in sends people back to, kept to local paths. */

/** Only local paths, so a crafted `redirectTo` cannot send people elsewhere after sign-in. */
export function safeRedirectTarget(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (raw.startsWith('/sign-in') || raw.startsWith('/sign-out')) return '/';
  return raw;
}

/** The sign-in page, remembering the page that needed it. */
export function signInHref(url: URL): string {
  const target = url.pathname + url.search;
  return target === '/' ? '/sign-in' : `/sign-in?redirectTo=${encodeURIComponent(target)}`;
}
