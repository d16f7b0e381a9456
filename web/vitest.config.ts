import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests of the helpers in src/lib; they need neither Svelte nor Kit. Server modules that read
// Kit's private environment get it from the process (test-support/app-env-private.ts).
export default defineConfig({
  resolve: {
    alias: {
      '$app/env/private': fileURLToPath(new URL('./test-support/app-env-private.ts', import.meta.url)),
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
