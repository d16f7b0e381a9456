import { sveltekit } from '@sveltejs/kit/vite';
import adapter from '@sveltejs/adapter-node';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter(),
      csrf: {
        // Kit's own origin check compares the Origin header with the origin adapter-node derives, and
        // adapter-node 6 assumes https unless a proxy header says otherwise: every same-origin form POST
        // to http://localhost:3000 would get 403. `src/hooks.server.ts` checks the origin itself instead
        // (host against host, any scheme), so the app works at whatever host and port it is opened on.
        trustedOrigins: ['*'],
      },
      // Kit adds a nonce for the scripts it inlines; nothing is loaded from another origin. Inline
      // styles stay allowed: Svelte transitions and the UI kit set style attributes, and a style
      // attribute cannot carry a nonce.
      csp: {
        mode: 'auto',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:'],
          'font-src': ['self'],
          'connect-src': ['self'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
        },
      },
    }),
  ],
});
