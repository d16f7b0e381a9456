import type { Cookies, RequestEvent } from '@sveltejs/kit';

/** The httpOnly cookie holding the API token; browser JavaScript never sees it. */
export const SESSION_COOKIE = 'vs_align_token';
const THIRTY_DAYS = 60 * 60 * 24 * 30;

/**
 * Whether the browser reached us over https. adapter-node cannot tell (it assumes https without a proxy
 * header), so ask the browser: the Origin of the sign-in POST, else a proxy's X-Forwarded-Proto.
 */
export function isHttps(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (origin && origin !== 'null') return origin.startsWith('https:');
  return request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export function setSessionToken(event: RequestEvent, token: string): void {
  event.cookies.set(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: isHttps(event.request),
    maxAge: THIRTY_DAYS,
  });
}

export function clearSessionToken(cookies: Cookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: false });
}
