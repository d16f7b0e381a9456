import { expect, test } from '@playwright/test';
import { artifact, rows, signIn } from './support/helpers.ts';
import { SEED_STORES } from './support/seed.ts';

const mirrors = SEED_STORES.filter((s) => s.mirror).length;
const locals = SEED_STORES.length - mirrors;

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('the list shows both kinds of store, told apart and explained', async ({ page }) => {
  await expect(page.getByTestId('total-count')).toHaveText(`${SEED_STORES.length} stores`);
  await expect(rows(page)).toHaveCount(20);

  const mirrorRow = rows(page).filter({ hasText: 'Support knowledge base' });
  await expect(mirrorRow.getByTestId('source-badge')).toHaveText('OpenAI Mirror');
  await expect(mirrorRow).toContainText('1.7 GB');
  await expect(mirrorRow).toContainText('vs_e2e');
  const localRow = rows(page).filter({ hasText: 'Release notes' });
  await expect(localRow.getByTestId('source-badge')).toHaveText('Local');
  await expect(localRow.getByTestId('expiry')).toHaveText('never');

  // Different colours, not only different words.
  const colour = (row: typeof mirrorRow) =>
    row.getByTestId('source-badge').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await colour(mirrorRow)).not.toBe(await colour(localRow));

  // The explanation appears on keyboard focus too.
  await mirrorRow.getByTestId('source-badge').locator('..').focus();
  await expect(
    page.getByRole('tooltip', { name: /Read-only mirror of an OpenAI vector store/ }),
  ).toBeVisible();

  await expect(rows(page).filter({ hasText: 'Contracts archive' }).getByTestId('status-badge')).toHaveText(
    /Expired/,
  );
  await expect(rows(page).filter({ hasText: 'Contracts archive' }).getByTestId('expiry')).toHaveText(
    'expired',
  );
  await expect(rows(page).filter({ hasText: 'Legacy FAQ' }).getByTestId('status-badge')).toHaveText(
    /Deleting/,
  );
  await expect(rows(page).filter({ hasText: 'Onboarding drafts' }).getByTestId('expiry')).toHaveText(
    'expires in 1 day',
  );
  // A mirror without expiration keeps billing: flagged; a local store never is.
  await expect(rows(page).filter({ hasText: 'Mirror dataset 06' }).getByTestId('billed-daily')).toBeVisible();
  await expect(localRow.getByTestId('billed-daily')).toHaveCount(0);
  await page.locator('main').click({ position: { x: 1, y: 1 } });
  await page.screenshot({ path: artifact('list'), fullPage: true });
});

test('filter by source through the UI; back restores the previous list', async ({ page }) => {
  await page.getByLabel('Source').selectOption({ label: 'OpenAI Mirror' });
  await expect(page).toHaveURL(/\/\?source=cache$/);
  await expect(page.getByTestId('total-count')).toHaveText(`${mirrors} stores match these filters`);
  for (const badge of await page.getByTestId('source-badge').all())
    await expect(badge).toHaveText('OpenAI Mirror');
  await page.screenshot({ path: artifact('list-filtered'), fullPage: true });

  await page.getByLabel('Source').selectOption({ label: 'Local' });
  await expect(page).toHaveURL(/\/\?source=primary$/);
  await expect(page.getByTestId('total-count')).toHaveText(`${locals} stores match these filters`);

  await page.goBack();
  await expect(page).toHaveURL(/\/\?source=cache$/);
  await expect(page.getByLabel('Source')).toHaveValue('cache');
  await expect(page.getByTestId('total-count')).toHaveText(`${mirrors} stores match these filters`);

  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel('Source')).toHaveValue('');
  await expect(page.getByTestId('total-count')).toHaveText(`${SEED_STORES.length} stores`);
});

test('filters in the URL apply directly and combine', async ({ page }) => {
  await page.goto('/?source=primary');
  await expect(page.getByLabel('Source')).toHaveValue('primary');
  await expect(page.getByTestId('total-count')).toHaveText(`${locals} stores match these filters`);
  for (const badge of await page.getByTestId('source-badge').all()) await expect(badge).toHaveText('Local');

  await page.goto('/?source=cache&status=expired');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toContainText('Contracts archive');

  // Expiring within 3 days: the in-progress local store (and the ones whose date has passed).
  await page.goto('/?expiring=3&status=in_progress');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toContainText('Onboarding drafts');

  await page.goto('/?q=knowledge');
  await expect(rows(page)).toHaveCount(1);

  await page.goto('/?q=nothing-like-this');
  await expect(page.getByTestId('empty-state')).toContainText('No stores match these filters');
  await page.getByRole('link', { name: 'Clear filters' }).first().click();
  await expect(page).toHaveURL(/\/$/);
  await expect(rows(page)).toHaveCount(20);
});

test('search through the form, sort by a column, and page with cursors', async ({ page }) => {
  await page.getByLabel('Search by name').fill('dataset');
  await page.getByLabel('Search by name').press('Enter');
  await expect(page).toHaveURL(/\/\?q=dataset$/);
  await expect(page.getByTestId('total-count')).toHaveText('20 stores match these filters');

  await page.getByRole('link', { name: 'Name', exact: false }).first().click();
  await expect(page).toHaveURL(/q=dataset&sort=name$/);
  await expect(rows(page).first()).toContainText('Local dataset 01');
  await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');

  await page.goto('/?sort=name');
  await expect(rows(page)).toHaveCount(20);
  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/sort=name&after=/);
  await expect(rows(page)).toHaveCount(SEED_STORES.length - 20);
  await page.getByRole('link', { name: '← Previous' }).click();
  await expect(page).toHaveURL(/sort=name&before=/);
  await expect(rows(page)).toHaveCount(20);
  await expect(rows(page).first()).toContainText('Contracts archive');
});

test('the store page shows every property, and the mirror note', async ({ page }) => {
  await page.getByRole('link', { name: 'Support knowledge base' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Support knowledge base' })).toBeVisible();
  await expect(page.getByTestId('mirror-note')).toContainText('Read-only mirror of OpenAI');
  await expect(page.getByTestId('policy')).toContainText('Expires after 30 days');
  await expect(page.getByTestId('policy-openai')).toContainText('"anchor":"last_active_at"');
  await expect(page.getByTestId('policy-openai')).toContainText('"days":30');
  // 1.7 GiB at $0.10/GiB/day, said to be an estimate with the free GiB per account.
  await expect(page.getByTestId('store-cost')).toContainText('$0.17 per day');
  await expect(page.getByTestId('store-cost')).toContainText('estimate');
  await expect(page.getByTestId('store-cost')).toContainText('first GiB of each account is free');
  // A mirror offers no edit, no upload and no file removal; the note says where to change it.
  await expect(page.getByTestId('mirror-note')).toContainText('change it in OpenAI');
  await expect(page.getByTestId('mirror-note')).toContainText('run a sync');
  await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
  await expect(page.getByTestId('upload')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete…' })).toBeVisible();
  const main = page.locator('main');
  for (const text of [
    'Help-centre articles',
    'vs_e2e',
    '416 in total',
    'team',
    'support',
    'Created here',
    'Files',
  ]) {
    await expect(main).toContainText(text);
  }
  await page.screenshot({ path: artifact('store'), fullPage: true });

  await page.getByRole('link', { name: 'Vector stores' }).first().click();
  await page.getByRole('link', { name: 'Release notes' }).click();
  await expect(page.getByTestId('policy')).toHaveText('Never expires');
  await expect(page.getByTestId('policy-openai')).toContainText('omitted');
  await expect(page.getByTestId('mirror-note')).toHaveCount(0);
  await expect(page.getByTestId('store-cost')).toContainText('None from OpenAI');
  // A local store is edited here.
  await expect(page.getByRole('link', { name: 'Edit' })).toBeVisible();
  await expect(page.getByTestId('upload')).toBeVisible();
  await page.screenshot({ path: artifact('store-local'), fullPage: true });
});

test('quick filters: source tabs and "expiring soon" with counts, kept in the URL', async ({ page }) => {
  await expect(page.getByTestId('tab-all').getByTestId('tab-count')).toHaveText(String(SEED_STORES.length));
  await expect(page.getByTestId('tab-cache').getByTestId('tab-count')).toHaveText(String(mirrors));
  await expect(page.getByTestId('tab-primary').getByTestId('tab-count')).toHaveText(String(locals));
  await expect(page.getByTestId('tab-all')).toHaveAttribute('aria-current', 'page');

  await page.getByTestId('tab-primary').click();
  await expect(page).toHaveURL(/\/\?source=primary$/);
  await expect(page.getByTestId('tab-primary')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('total-count')).toHaveText(`${locals} stores match these filters`);

  // "Expiring soon" keeps the source: the local store expiring within 3 days.
  await page.getByTestId('expiring-soon').click();
  await expect(page).toHaveURL(/\/\?source=primary&expiring=3$/);
  await expect(page.getByTestId('expiring-soon')).toHaveAttribute('aria-pressed', 'true');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toContainText('Onboarding drafts');
  // The tabs count within "expiring soon" now.
  await expect(page.getByTestId('tab-primary').getByTestId('tab-count')).toHaveText('1');

  // Straight from the URL, too: expired stores count as expiring (their date has passed).
  await page.goto('/?expiring=3');
  await expect(page.getByTestId('expiring-soon')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByLabel('Expiring within (days)')).toHaveValue('3');
  await expect(rows(page).filter({ hasText: 'Onboarding drafts' })).toHaveCount(1);
  await expect(rows(page).filter({ hasText: 'Release notes' })).toHaveCount(0);
  await page.getByTestId('expiring-soon').click();
  await expect(page).toHaveURL(/\/$/);
});

test('an unknown store shows a 404 state', async ({ page }) => {
  const response = await page.goto(
    '/stores/VmVjdG9yU3RvcmU6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw',
  );
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId('error-state')).toContainText('Not found');
  await expect(page.getByRole('banner')).toContainText('VS-ALIGN');
});

test('phone width: the rows become cards', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(rows(page).first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: artifact('list-phone'), fullPage: false });

  // The filters fold away on phones and open on demand.
  await expect(page.getByLabel('Source')).toBeHidden();
  await page.getByRole('button', { name: 'Filters and sort' }).click();
  await page.getByLabel('Source').selectOption({ label: 'Local' });
  await expect(page).toHaveURL(/\/\?source=primary$/);
  await expect(page.getByLabel('Source')).toBeVisible();
  await page.screenshot({ path: artifact('list-phone-filtered'), fullPage: false });
});

test('phone width: the store page, the sync page and the orphans page fit', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const fits = async () =>
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);

  await page.goto('/?q=Release%20notes');
  await page.getByRole('link', { name: 'Release notes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Release notes' })).toBeVisible();
  await fits();
  await page.screenshot({ path: artifact('store-phone'), fullPage: true });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sync' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sync' })).toBeVisible();
  await fits();
  await page.screenshot({ path: artifact('sync-phone'), fullPage: true });

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /Orphans/ })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: /Orphan Files/ })).toBeVisible();
  await fits();
  await page.screenshot({ path: artifact('orphans-phone'), fullPage: true });
});
