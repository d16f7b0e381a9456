import { expect, type Page } from '@playwright/test';

export function adminToken(): string {
  const token = process.env.E2E_ADMIN_TOKEN;
  if (!token) throw new Error('E2E_ADMIN_TOKEN is not set: run through `pnpm test:e2e` (global setup)');
  return token;
}

export const artifact = (name: string) => new URL(`../artifacts/${name}.png`, import.meta.url).pathname;

export function viewerToken(): string {
  const token = process.env.E2E_VIEWER_TOKEN;
  if (!token) throw new Error('E2E_VIEWER_TOKEN is not set: run through `pnpm test:e2e` (global setup)');
  return token;
}

/** Signs in through the form, as a person would, and waits for the store list. */
export async function signIn(page: Page, origin = '', token = adminToken()): Promise<void> {
  await page.goto(`${origin}/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Vector stores' })).toBeVisible();
}

/** The store rows on screen. */
export const rows = (page: Page) => page.getByTestId('store-row');

/** The database of this run (for specs that put the server in a state the UI cannot reach quickly). */
export function databaseUrl(): string {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set: run through `pnpm test:e2e` (global setup)');
  return url;
}

/** Sets the built-in emulator's faults (its control API); `{}` clears them. */
export async function emulatorFaults(faults: Record<string, unknown>): Promise<void> {
  const url = process.env.E2E_EMULATOR_URL;
  if (!url) throw new Error('E2E_EMULATOR_URL is not set: run through playwright.config.ts');
  const response = await fetch(`${url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!response.ok) throw new Error(`emulator faults: ${response.status}`);
}

/** The built-in emulator's demo key, the default account's key in these tests (server/src/openai/connection.ts). */
export const EMULATOR_DEMO_KEY = 'sk-vs-align-emulator-demo';

/** Revokes an API key in the emulator (401 invalid_api_key from then on), or registers it again. */
export async function emulatorKey(action: 'revoke' | 'register', apiKey: string): Promise<void> {
  const url = process.env.E2E_EMULATOR_URL;
  if (!url) throw new Error('E2E_EMULATOR_URL is not set: run through playwright.config.ts');
  const response = await fetch(`${url}/__emulator/keys${action === 'revoke' ? '/revoke' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey }),
  });
  if (!response.ok) throw new Error(`emulator keys ${action}: ${response.status}`);
}

/** Creates a vector store in the emulator as OpenAI's API would (`body` as sent); returns its id. */
export async function emulatorCreateStore(body: Record<string, unknown>): Promise<string> {
  const url = process.env.E2E_EMULATOR_URL;
  if (!url) throw new Error('E2E_EMULATOR_URL is not set: run through playwright.config.ts');
  const response = await fetch(`${url}/v1/vector_stores`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${EMULATOR_DEMO_KEY}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator create store: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}
