import { expect, test } from '@playwright/test';
import { adminToken, artifact, signIn } from './support/helpers.ts';

test('an unauthenticated visit is sent to sign in, and comes back after', async ({ page }) => {
  await page.goto('/?source=cache');
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2F%3Fsource%3Dcache$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.screenshot({ path: artifact('sign-in'), fullPage: true });

  await page.getByLabel('API token').fill(adminToken());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/\?source=cache$/);
  await expect(page.getByLabel('Source')).toHaveValue('cache');
});

test('a wrong token shows an error on the form and sets no cookie', async ({ page, context }) => {
  await page.goto('/sign-in');
  await page.getByLabel('API token').fill('not-a-real-token-0000000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('That token was not accepted');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByLabel('API token')).toHaveAttribute('aria-invalid', 'true');
  await page.screenshot({ path: artifact('sign-in-error'), fullPage: true });
  expect((await context.cookies()).find((c) => c.name === 'vs_align_token')).toBeUndefined();
});

test('the right token signs in with an httpOnly cookie; the header shows who; sign out ends it', async ({
  page,
  context,
}) => {
  await signIn(page);
  const cookie = (await context.cookies()).find((c) => c.name === 'vs_align_token');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
  // The token is never readable by page scripts.
  expect(await page.evaluate(() => document.cookie)).not.toContain('vs_align_token');
  expect(await page.content()).not.toContain(adminToken());

  const header = page.getByRole('banner');
  await expect(header).toContainText('VS-ALIGN');
  await expect(header.getByTestId('account-name')).toHaveText('Default');
  await expect(header.getByTestId('role')).toHaveText(/Admin/);

  await header.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect((await context.cookies()).find((c) => c.name === 'vs_align_token')).toBeUndefined();
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('form posts work on another host name of the same server (localhost)', async ({ page }) => {
  // Kit's stock CSRF check would refuse this (adapter-node assumes https); ours compares hosts.
  const origin = `http://localhost:${process.env.E2E_WEB_PORT}`;
  await signIn(page, origin);
  await expect(page).toHaveURL(`${origin}/`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${origin}/sign-in`);
});

test('a cross-site form post is refused', async ({ request }) => {
  const response = await request.post('/sign-in', {
    form: { token: adminToken() },
    headers: { origin: 'http://evil.example' },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
});

test('the GraphQL proxy needs the session cookie', async ({ request }) => {
  const response = await request.post('/graphql', { data: { query: '{ viewer { role } }' } });
  expect(response.status()).toBe(401);
  expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
});
