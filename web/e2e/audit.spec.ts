import { expect, test } from '@playwright/test';
import { artifact, signIn, viewerToken } from './support/helpers.ts';

test('the audit log lists a store deletion with who did it, and filters by action and actor', async ({
  page,
}) => {
  test.setTimeout(60_000);
  await signIn(page);

  // Create and delete a local store through the UI, as an admin would.
  await page.getByRole('link', { name: 'New store' }).click();
  await page.getByLabel('Name').fill('E2E audit target');
  await page.getByRole('button', { name: 'Create store' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'E2E audit target' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page
    .getByRole('dialog', { name: /Delete “E2E audit target”/ })
    .getByRole('button', { name: 'Delete store' })
    .click();
  await expect(page.getByTestId('flash')).toContainText('“E2E audit target” was deleted');

  // The admin's nav leads to the audit log. Other specs change data at the same time: find this
  // store's events by its name rather than by position.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  const ofThisStore = (kind: string) =>
    page.locator(`[data-testid="audit-event"][data-kind="${kind}"]`).filter({ hasText: 'E2E audit target' });
  const deletion = ofThisStore('DELETE_VECTOR_STORE');
  await expect(deletion).toHaveCount(1);
  await expect(deletion).toContainText('Delete store');
  await expect(deletion.getByTestId('audit-actor')).toContainText('ADMIN_TOKEN');
  await expect(deletion.getByTestId('audit-store-link')).toHaveText('Store E2E audit target');
  await expect(deletion).toHaveAttribute('data-outcome', 'SUCCEEDED');
  await expect(deletion).toContainText('Succeeded');
  // The creation is logged too, by the same token, and is older.
  const creation = ofThisStore('CREATE_VECTOR_STORE');
  await expect(creation.getByTestId('audit-actor')).toContainText('ADMIN_TOKEN');
  const order = await page
    .getByTestId('audit-event')
    .evaluateAll((rows) =>
      rows
        .filter((row) => row.textContent?.includes('E2E audit target'))
        .map((row) => row.getAttribute('data-kind')),
    );
  expect(order).toEqual(['DELETE_VECTOR_STORE', 'CREATE_VECTOR_STORE']);
  await page.screenshot({ path: artifact('audit-log'), fullPage: true });

  // Only deletions.
  await page.getByLabel('Action').selectOption('DELETE_VECTOR_STORE');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/kind=DELETE_VECTOR_STORE/);
  await expect(
    page.locator('[data-testid="audit-event"]:not([data-kind="DELETE_VECTOR_STORE"])'),
  ).toHaveCount(0);
  await expect(ofThisStore('DELETE_VECTOR_STORE')).toHaveCount(1);

  // Only this actor (and still only deletions).
  await page.getByTestId('audit-event').first().getByTestId('audit-actor').getByRole('link').click();
  await expect(page).toHaveURL(/actor=/);
  await expect(page.getByTestId('actor-filter')).toContainText('ADMIN_TOKEN');
  await expect(page.getByTestId('audit-event').first()).toHaveAttribute('data-kind', 'DELETE_VECTOR_STORE');

  // At phone width the page fits (the table scrolls sideways inside its card).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/audit');
  await expect(page.getByTestId('audit-event').first()).toBeVisible();
  await page.screenshot({ path: artifact('audit-log-phone'), fullPage: true });
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
  ).toBeLessThanOrEqual(0);
});

test('a viewer has no audit log: no nav link, and the page says it is refused', async ({ page }) => {
  await signIn(page, '', viewerToken());
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync' }),
  ).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }),
  ).toHaveCount(0);
  await page.goto('/audit');
  await expect(page.getByTestId('audit-error')).toContainText(/ADMIN/);
});
