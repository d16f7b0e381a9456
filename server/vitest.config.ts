import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql 17 ships a `development` build; Vite would pick it for our code while Node loads the
  // default build for Pothos and Yoga, and two copies of graphql cannot share a schema.
  ssr: { resolve: { conditions: ['module', 'node'] } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files share one PostgreSQL server; each file gets its own database.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
