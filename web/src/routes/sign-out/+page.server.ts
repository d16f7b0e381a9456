import { redirect } from '@sveltejs/kit';
import { clearSessionToken } from '#lib/server/session.ts';
import type { Actions, PageServerLoad } from './$types';

// Signing out is a POST (a link could be followed by a prefetch or another site); a GET just goes home.
export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: ({ cookies }) => {
    clearSessionToken(cookies);
    redirect(303, '/sign-in');
  },
};
