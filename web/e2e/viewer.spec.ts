import { expect, test } from '@playwright/test';
import { artifact, signIn, viewerToken } from './support/helpers.ts';

test.beforeEach(async ({ page }) => {
  await signIn(page, '', viewerToken());
});

test('a viewer sees every page and no control that changes anything', async ({ page }) => {
  const header = page.getByRole('banner');
  await expect(header.getByTestId('role')).toHaveText(/Viewer/);
  await expect(header.getByTestId('emulator-badge')).toBeVisible();
  await expect(header.getByTestId('last-sync')).toBeVisible();

  // The list: no "New store", no "Start sync" (the sync card still explains and links the history).
  await expect(page.getByTestId('sync-control')).toBeVisible();
  await expect(page.getByRole('link', { name: 'New store' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Start sync' })).toHaveCount(0);
  await page.screenshot({ path: artifact('viewer-list'), fullPage: true });

  // A local store: no edit, upload, removal or deletion.
  await page.getByRole('link', { name: 'Release notes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Release notes' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
  await expect(page.getByTestId('upload')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Delete|Remove/ })).toHaveCount(0);
  await page.screenshot({ path: artifact('viewer-store'), fullPage: true });

  // A mirror: no deletion either.
  await page.goto('/?source=cache');
  await page.getByRole('link', { name: 'Support knowledge base' }).click();
  await expect(page.getByTestId('mirror-note')).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete|Remove/ })).toHaveCount(0);

  // Sync history and orphans: read-only.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sync' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start sync' })).toHaveCount(0);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /Orphans/ })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: /Orphan Files/ })).toBeVisible();
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Delete|Select all/ })).toHaveCount(0);

  // The forms say why they are not there.
  await page.goto('/stores/new');
  await expect(page.getByRole('note')).toContainText('Only admins can create stores');
  await expect(page.getByLabel('Name')).toHaveCount(0);
});

test('the API refuses a viewer mutation even when sent by hand', async ({ page }) => {
  const answer = await page.evaluate(async () => {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { startSync(input: {}) { __typename } }' }),
    });
    return response.json();
  });
  expect(answer.errors[0].extensions.code).toBe('FORBIDDEN');
});
