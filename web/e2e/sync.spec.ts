import { expect, test } from '@playwright/test';
import { withClient } from './support/db.ts';
import {
  artifact,
  databaseUrl,
  EMULATOR_DEMO_KEY,
  emulatorCreateStore,
  emulatorFaults,
  emulatorKey,
  rows,
  signIn,
} from './support/helpers.ts';

// One story, in order: the sync brings the emulator's stores and orphan Files, which the next tests use.
test.describe.configure({ mode: 'serial' });

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('start a sync: the bar reaches done and the new stores appear without a reload', async ({ page }) => {
  await page.goto('/?q=Engineering');
  await expect(page.getByTestId('empty-state')).toBeVisible();
  // A full reload would lose this.
  await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'same page'));

  await page.getByRole('button', { name: 'Start sync' }).click();
  await expect(page.getByTestId('sync-progress')).toBeVisible();
  await expect(page.getByTestId('sync-bar')).toHaveAttribute('data-percent', '100', { timeout: 20_000 });
  await expect(page.getByTestId('sync-outcome')).toHaveText('Succeeded');
  await expect(page.getByTestId('sync-progress')).toContainText('12 new');

  await expect(rows(page).filter({ hasText: 'Engineering Handbook' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe(
    'same page',
  );
  await expect(page.getByRole('banner').getByTestId('last-sync')).toContainText('Last sync');
  await page.screenshot({ path: artifact('list-after-sync'), fullPage: true });

  // The run history has the run with its counts.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync' }).click();
  const run = page.getByTestId('run').first();
  await expect(run).toHaveAttribute('data-status', 'SUCCEEDED');
  await expect(run).toContainText('Started here');
  await expect(run).toContainText('+12 new');
  await page.screenshot({ path: artifact('sync-history'), fullPage: true });
});

test('delete a mirror: it goes through DELETING, then it is gone (in OpenAI too)', async ({ page }) => {
  await page.goto('/?q=Sales%20Playbook');
  await page.getByRole('link', { name: 'Sales Playbook' }).click();
  await expect(page.getByTestId('mirror-note')).toBeVisible();
  await page.getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: /Delete “Sales Playbook”/ });
  await expect(dialog.getByTestId('delete-summary')).toContainText('its 4 file links');
  await expect(dialog.getByTestId('delete-summary')).toContainText('in OpenAI too: the store vs_');
  await expect(dialog.getByTestId('delete-summary')).toContainText('the Files no other store uses');
  await page.screenshot({ path: artifact('mirror-delete-dialog') });
  // OpenAI takes a moment to delete the store, so DELETING is on screen for a while however fast the queue.
  await emulatorFaults({ latencyMs: 3000, routes: ['DELETE /v1/vector_stores/{vector_store_id}'] });
  try {
    await dialog.getByRole('button', { name: 'Delete store' }).click();
    await expect(page.getByTestId('status-badge')).toHaveText(/Deleting/);
  } finally {
    await emulatorFaults({});
  }
  // The queue may finish before the page has drawn the panel: read it in one go (no waiting, so no race
  // with its disappearance), and check it only if the store was still DELETING then.
  const [panel] = await page.getByTestId('deletion-panel').evaluateAll((nodes) =>
    nodes.map((node) => ({
      queued: node.querySelector('[data-testid="deletion-queued"]')?.textContent ?? '',
      attempts: node.querySelector('[data-testid="deletion-attempts"]')?.textContent?.trim() ?? '',
      next: node.querySelector('[data-testid="deletion-next"]')?.textContent ?? '',
      files: node.querySelector('[data-testid="deletion-files"]')?.textContent ?? '',
    })),
  );
  if (panel) {
    expect(panel.queued).toMatch(/\d{4}/);
    expect(panel.attempts).toMatch(/^(none yet|\d+)$/);
    expect(panel.next).toMatch(/due now|in \d+ seconds?/);
    expect(panel.files).toMatch(/planning…|\d+ Files?|none so far/);
    await page.screenshot({ path: artifact('mirror-deleting'), fullPage: true });
  }
  await expect(page.getByTestId('deleted-note')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('deletion-panel')).toHaveCount(0);

  await page.goto('/?q=Sales%20Playbook');
  await expect(page.getByTestId('empty-state')).toBeVisible();
});

test('a deletion OpenAI keeps failing: the panel shows the attempts, the error and the next try', async ({
  page,
}) => {
  // The seeded "Legacy FAQ" is DELETING: put its deletion on the queue as after three failed attempts,
  // the next one an hour away (the worker leaves it alone until then).
  await withClient(databaseUrl(), (client) =>
    client.query(
      `INSERT INTO remote_deletion (account_id, kind, external_id, vector_store_id, planned_file_ids, attempts,
         next_attempt_at, last_error, created_at, updated_at)
       SELECT account_id, 'VECTOR_STORE', external_id, id, '["file-e2e-1", "file-e2e-2", "file-e2e-3"]'::jsonb,
              3, now() + interval '1 hour', 'OpenAI answered 503: the service is overloaded',
              now() - interval '20 minutes', now()
         FROM vector_store WHERE name = 'Legacy FAQ'`,
    ),
  );
  await page.goto('/?q=Legacy%20FAQ');
  await page.getByRole('link', { name: 'Legacy FAQ' }).click();
  await expect(page.getByTestId('deleting-note')).toBeVisible();
  const panel = page.getByTestId('deletion-panel');
  await expect(panel.getByRole('heading', { name: 'Deletion in OpenAI' })).toBeVisible();
  await expect(panel.getByRole('alert')).toContainText('The last attempt failed');
  await expect(panel.getByRole('alert')).toContainText('OpenAI answered 503: the service is overloaded');
  await expect(panel.getByRole('alert')).toContainText('The queue tries again in 1 hour.');
  await expect(panel.getByTestId('deletion-attempts')).toHaveText('3');
  await expect(panel.getByTestId('deletion-next')).toContainText('in 1 hour');
  await expect(panel.getByTestId('deletion-files')).toContainText('3 Files');
  await expect(panel.getByTestId('deletion-queued')).toContainText('20 minutes ago');
  // The watch keeps polling: the panel stays while the store is DELETING.
  await expect(page.getByTestId('deleting-note')).toContainText(/checked \d+ time/);
  await expect(panel).toBeVisible();
  await page.screenshot({ path: artifact('mirror-deletion-retrying'), fullPage: true });
});

test('the sync page says when the schedule runs; the orphans page states the grace period', async ({
  page,
}) => {
  // The global setup made the schedule yearly and the grace period zero.
  await page.goto('/sync');
  await expect(page.getByTestId('sync-schedule')).toContainText(
    'Scheduled sync: At 00:00, on day 1 of the month, only in January (server time)',
  );
  await expect(page.getByTestId('sync-schedule')).toContainText('0 0 1 1 *');
  await page.screenshot({ path: artifact('sync-schedule'), fullPage: true });

  await page.goto('/orphans');
  await expect(page.getByTestId('orphan-rule')).toHaveText(
    'Files attached to no store, counted at once (the account has no grace period).',
  );
});

test('clean orphan Files: totals, cost, pick some, then all, behind a confirmation', async ({ page }) => {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /Orphans/ })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: /Orphan Files/ })).toBeVisible();
  const demoOrphans = [
    'old-price-list.pdf',
    'draft-contract-v1.docx',
    'meeting-notes-2025-11.md',
    'export.csv',
  ];
  for (const name of demoOrphans) {
    await expect(page.getByTestId('orphan-row').filter({ hasText: name })).toBeVisible();
  }
  const count = Number(await page.getByTestId('orphan-count').textContent());
  expect(count).toBeGreaterThanOrEqual(demoOrphans.length);
  await expect(page.getByTestId('stores-without-expiration')).not.toHaveText('');
  await expect(page.getByTestId('daily-cost')).toHaveText(/^\$\d+\.\d\d$|^< \$0\.01$/);
  await page.screenshot({ path: artifact('orphans'), fullPage: true });

  // One File.
  await page.getByRole('checkbox', { name: 'Select old-price-list.pdf' }).check();
  await expect(page.getByTestId('selection')).toHaveText('1 selected');
  await page.getByRole('button', { name: 'Delete selected…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete 1 orphan File?' });
  await expect(dialog).toContainText('in OpenAI');
  await dialog.getByRole('button', { name: 'Delete 1 File' }).click();
  await expect(page.getByTestId('orphans-done')).toContainText('1 File was queued');
  await expect(page.getByTestId('orphan-row').filter({ hasText: 'old-price-list.pdf' })).toHaveCount(0);
  await expect(page.getByTestId('orphan-count')).toHaveText(String(count - 1));

  // All the others.
  await page.getByRole('button', { name: `Select all ${count - 1}` }).click();
  await page.getByRole('button', { name: 'Delete selected…' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: `Delete ${count - 1} Files` })
    .click();
  await expect(page.getByTestId('empty-state')).toContainText('No orphan Files');
  await expect(page.getByTestId('orphan-count')).toHaveText('0');
});

test('a store created without a name: mirrored as "Untitled" with its id, and found by its id', async ({
  page,
}) => {
  // OpenAI answers `"name": null` for it: the sync once failed whole on such a store.
  const id = await emulatorCreateStore({});
  await page.goto('/sync');
  await page.getByRole('button', { name: 'Start sync' }).click();
  await expect(page.getByTestId('sync-outcome')).toHaveText('Succeeded', { timeout: 20_000 });

  await page.goto(`/?q=${id.slice(3, 19)}`);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toContainText('Untitled');
  await expect(rows(page)).toContainText(id);
  await page.screenshot({ path: artifact('unnamed-store-row'), fullPage: true });
  await rows(page).getByRole('link', { name: 'Untitled' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Untitled (${id})`);
});

test('a revoked OpenAI key: the sync fails naming the account, the sync page and the header say so', async ({
  page,
}) => {
  await page.goto('/sync');
  const accountName = (await page.getByTestId('account-name').textContent())!.trim();
  const message = `OpenAI rejected the API key of account ${accountName} (invalid_api_key)`;
  await expect(page.getByTestId('key-rejected')).toHaveCount(0);

  await emulatorKey('revoke', EMULATOR_DEMO_KEY);
  try {
    await page.getByRole('button', { name: 'Start sync' }).click();
    await expect(page.getByTestId('sync-outcome')).toHaveText('Failed', { timeout: 20_000 });
    const badge = page.getByRole('banner').getByTestId('key-rejected');
    await expect(badge).toContainText('OpenAI key rejected');
    await expect(badge).toHaveAttribute('title', message);
    await expect(page.getByRole('banner').getByRole('alert')).toContainText(message);
    await expect(page.getByTestId('key-rejected-notice')).toContainText(message);
    const run = page.getByTestId('run').first();
    await expect(run).toHaveAttribute('data-status', 'FAILED');
    await run.getByText('1 error').click();
    await expect(run).toContainText(message);
    await page.screenshot({ path: artifact('sync-key-rejected'), fullPage: true });
  } finally {
    await emulatorKey('register', EMULATOR_DEMO_KEY);
  }

  // The key works again: an admin's sync succeeds and the warnings go away.
  await page.getByRole('button', { name: 'Start sync' }).click();
  await expect(page.getByTestId('sync-outcome')).toHaveText('Succeeded', { timeout: 20_000 });
  await expect(page.getByTestId('key-rejected')).toHaveCount(0);
  await expect(page.getByTestId('key-rejected-notice')).toHaveCount(0);
});
