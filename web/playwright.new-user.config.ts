import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';

/**
 * The new user's first contact (README commands on a fresh clone): no global setup, since each test
 * starts the product itself, one at a time, with room for a cold build on a loaded two-core machine.
 */
export default defineConfig({
  ...base,
  testDir: 'new-user',
  globalSetup: undefined,
  projects: undefined,
  workers: 1,
  timeout: 600_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: process.env.E2E_JSON_OUTPUT ?? 'test-results/new-user.json' }]],
  outputDir: 'test-results/new-user-output',
  use: { ...base.use, baseURL: undefined },
});
