import type { Handle } from '@sveltejs/kit/hooks';
import { isForbiddenCrossSite } from '#lib/csrf.ts';
import { proxyGraphQL } from '#lib/server/graphql-proxy.ts';

export const handle: Handle = async ({ event, resolve }) => {
  const { request } = event;
  if (
    isForbiddenCrossSite({
      method: request.method,
      contentType: request.headers.get('content-type'),
      origin: request.headers.get('origin'),
      secFetchSite: request.headers.get('sec-fetch-site'),
      host: event.url.host,
    })
  ) {
    return new Response('Cross-site form submissions are forbidden', { status: 403 });
  }

  if (event.url.pathname === '/graphql') return proxyGraphQL(event);

  const response = await resolve(event, {
    // urql reads the content type of GraphQL responses, which `load` fetches replay from the page.
    filterSerializedResponseHeaders: (name) => name === 'content-type',
  });
  response.headers.set('x-frame-options', 'DENY');
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('referrer-policy', 'same-origin');
  return response;
};
