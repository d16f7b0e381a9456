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

test('pages carry a Content-Security-Policy that blocks injected scripts and breaks nothing', async ({
  page,
}) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto('/sign-in');
  const csp = response!.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");

  await signIn(page);
  await expect(page.getByRole('banner')).toContainText('VS-ALIGN');
  expect(violations).toEqual([]);

  // A script injected into the page (what an XSS would do) does not run.
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.head.append(script);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
});

test('sign-in sends people back only to a path of this site', async ({ page }) => {
  await page.goto('/sign-in?redirectTo=' + encodeURIComponent('/\t/evil.example/x'));
  await page.getByLabel('API token').fill(adminToken());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`^${new URL(page.url()).origin}/`));
  expect(new URL(page.url()).host).not.toContain('evil.example');
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

test('the GraphQL proxy refuses an upload without a session, without forwarding it', async ({ request }) => {
  const response = await request.post('/graphql', {
    // Same-origin, as the page's own upload would be (a cross-site one is refused earlier, with 403).
    headers: { 'graphql-require-preflight': '1', origin: new URL(process.env.E2E_BASE_URL!).origin },
    multipart: {
      operations: JSON.stringify({ query: 'mutation($f: File!) { x($f) }', variables: { f: null } }),
      map: JSON.stringify({ 0: ['variables.f'] }),
      0: { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.alloc(64 * 1024, 97) },
    },
  });
  expect(response.status()).toBe(401);
  const body = await response.json();
  expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  // The web app's own answer, not the API's: the body never went upstream.
  expect(body.errors[0].message).toBe('Sign in to upload files.');
});
