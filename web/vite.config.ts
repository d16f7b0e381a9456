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
    }),
  ],
});
