import { expect, test } from '@playwright/test';
import { artifact, signIn } from './support/helpers.ts';

test('create a local store, edit it, upload a file with progress, remove it, delete the store', async ({
  page,
}) => {
  test.setTimeout(60_000);
  await signIn(page);
  await page.getByRole('link', { name: 'New store' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New local store' })).toBeVisible();

  // Errors are shown at their field, and the field gets focus: first a local check…
  await page.getByRole('button', { name: 'Create store' }).click();
  await expect(page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Name')).toBeFocused();
  await expect(page.locator('#store-name-error')).toHaveText('Give the store a name.');

  // …then the API's own validation (days out of range).
  await page.getByLabel('Name').fill('E2E upload target');
  await page.getByLabel('Description (optional)').fill('Created by the e2e suite.');
  await page.getByLabel('Expires after a number of days without activity').check();
  await page.getByLabel('Days of inactivity (1 to 365)').fill('400');
  await page.getByRole('button', { name: 'Add a pair' }).click();
  await page.getByLabel('Key 1').fill('owner');
  await page.getByLabel('Value 1').fill('e2e');
  await page.getByRole('button', { name: 'Create store' }).click();
  const days = page.getByLabel('Days of inactivity (1 to 365)');
  await expect(days).toHaveAttribute('aria-invalid', 'true');
  await expect(days).toBeFocused();
  await expect(page.locator('#store-days-error')).toContainText(/365/);
  await page.screenshot({ path: artifact('store-new-errors'), fullPage: true });

  await days.fill('14');
  await page.getByRole('button', { name: 'Create store' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'E2E upload target' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Store created' })).toBeVisible();
  await expect(page.getByTestId('policy')).toContainText('14 days');
  await expect(page.getByTestId('policy-openai')).toContainText('"days":14');
  await expect(page.locator('main')).toContainText('owner');

  // Edit.
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByLabel('Name')).toHaveValue('E2E upload target');
  await page.getByLabel('Description (optional)').fill('Edited by the e2e suite.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Changes saved' })).toBeVisible();
  await expect(page.locator('main')).toContainText('Edited by the e2e suite.');

  // A small file (under adapter-node's 512K body limit: Kit's request stream goes upstream)…
  await page.getByLabel('File to upload').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Short notes kept with the store.\n'),
  });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'notes.txt was uploaded' })).toBeVisible();
  await expect(page.getByTestId('file-row').filter({ hasText: 'notes.txt' })).toBeVisible();

  // …and one bigger than that limit (Node's own request is piped upstream with node:http).
  const content = Buffer.from(
    '# Handbook\n\n' + 'Vector stores keep their files searchable.\n'.repeat(40_000),
  );
  expect(content.length).toBeGreaterThan(1024 * 1024);
  await page.getByLabel('File to upload').setInputFiles({
    name: 'handbook.md',
    mimeType: 'text/markdown',
    buffer: content,
  });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByTestId('upload-progress')).toHaveAttribute('data-percent', '100');
  await expect(page.getByTestId('upload-percent')).toHaveText('100%');
  await expect(page.getByRole('status').filter({ hasText: 'handbook.md was uploaded' })).toBeVisible();
  const fileRow = page.getByTestId('file-row').filter({ hasText: 'handbook.md' });
  await expect(fileRow).toBeVisible();
  await expect(fileRow).toContainText('1.6 MB');
  await page.screenshot({ path: artifact('store-local-uploaded'), fullPage: true });

  // Remove it, behind a confirmation.
  await page.getByRole('button', { name: 'Remove handbook.md' }).click();
  const removeDialog = page.getByTestId('confirm-remove');
  await expect(removeDialog).toBeVisible();
  await removeDialog.getByRole('button', { name: 'Remove file' }).click();
  await expect(removeDialog).toBeHidden();
  await expect(page.getByTestId('file-row').filter({ hasText: 'handbook.md' })).toHaveCount(0);
  await expect(page.getByTestId('file-row')).toHaveCount(1);

  // Delete: the dialog says what goes; Escape closes it and gives focus back.
  const deleteButton = page.getByRole('button', { name: 'Delete…' });
  await deleteButton.click();
  const dialog = page.getByRole('dialog', { name: /Delete “E2E upload target”/ });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('delete-summary')).toContainText('its 1 file link');
  await expect(dialog.getByTestId('delete-summary')).not.toContainText('in OpenAI');
  await page.screenshot({ path: artifact('store-delete-dialog') });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(deleteButton).toBeFocused();

  await deleteButton.click();
  await dialog.getByRole('button', { name: 'Delete store' }).click();
  await expect(page.getByTestId('flash')).toContainText('“E2E upload target” was deleted');
  await page.goto('/?q=E2E%20upload');
  await expect(page.getByTestId('empty-state')).toBeVisible();
});
