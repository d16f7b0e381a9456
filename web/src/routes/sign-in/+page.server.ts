import { fail, redirect } from '@sveltejs/kit';
import { API_URL } from '$app/env/private';
import { safeRedirectTarget } from '#lib/paths.ts';
import { SESSION_COOKIE, setSessionToken } from '#lib/server/session.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ cookies, url }) => {
  // Already signed in: the admin layout re-checks the token and sends people back here if it is stale.
  if (cookies.get(SESSION_COOKIE)) redirect(303, safeRedirectTarget(url.searchParams.get('redirectTo')));
  return { redirectTo: safeRedirectTarget(url.searchParams.get('redirectTo')) };
};

const VIEWER_CHECK = 'query SignInCheck { viewer { role account { id } } }';

type Check = { ok: true } | { ok: false; status: number; message: string };

/** Asks the API whether the token is valid; the token goes straight to the API, never to the browser. */
async function checkToken(token: string, clientAddress: string): Promise<Check> {
  let response: Response;
  try {
    response = await fetch(`${API_URL}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        // Failed sign-ins are limited per address by the API (TRUSTED_PROXIES lists this app).
        'x-forwarded-for': clientAddress,
      },
      body: JSON.stringify({ query: VIEWER_CHECK }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return { ok: false, status: 503, message: 'The VS-ALIGN API cannot be reached. Try again in a moment.' };
  }
  if (response.status === 429) {
    const wait = response.headers.get('retry-after') ?? 'a few';
    return { ok: false, status: 429, message: `Too many attempts. Try again in ${wait} seconds.` };
  }
  if (response.status === 401) {
    return { ok: false, status: 400, message: 'That token was not accepted. Check it and try again.' };
  }
  const body = (await response.json().catch(() => null)) as {
    data?: { viewer?: { role?: string } };
    errors?: Array<{ message: string }>;
  } | null;
  if (!response.ok || !body?.data?.viewer?.role) {
    return {
      ok: false,
      status: 502,
      message: `The API could not check the token (${body?.errors?.[0]?.message ?? `HTTP ${response.status}`}).`,
    };
  }
  return { ok: true };
}

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const token = String(form.get('token') ?? '').trim();
    const redirectTo = safeRedirectTarget(String(form.get('redirectTo') ?? '/'));
    if (!token) return fail(400, { error: 'Paste an API token to sign in.' });
    if (/\s/.test(token) || token.length > 512) {
      return fail(400, {
        error: 'That does not look like an API token: it must be one line without spaces.',
      });
    }
    const check = await checkToken(token, event.getClientAddress());
    if (!check.ok) return fail(check.status, { error: check.message });
    setSessionToken(event, token);
    redirect(303, redirectTo);
  },
};
