import { defineConfig } from 'vitest/config';

// Unit tests of the pure helpers in src/lib; they need neither Svelte nor Kit.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
