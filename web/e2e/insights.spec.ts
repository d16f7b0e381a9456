import { expect, test, type Page } from '@playwright/test';
import { artifact, EMULATOR_DEMO_KEY, signIn } from './support/helpers.ts';

// One story: three syncs, each after OpenAI (the emulator) gained a bigger store, then the page.
test.describe.configure({ mode: 'serial' });

/** A File of `bytes` bytes uploaded to the emulator and a new store holding it, as OpenAI's API is used. */
async function storeWithFile(name: string, bytes: number): Promise<void> {
  const url = process.env.E2E_EMULATOR_URL!;
  const headers = { authorization: `Bearer ${EMULATOR_DEMO_KEY}` };
  const form = new FormData();
  form.append('purpose', 'assistants');
  form.append('file', new Blob(['x'.repeat(bytes)], { type: 'text/plain' }), `${name}.txt`);
  const file = await fetch(`${url}/v1/files`, { method: 'POST', headers, body: form });
  expect(file.ok).toBe(true);
  const { id } = (await file.json()) as { id: string };
  const store = await fetch(`${url}/v1/vector_stores`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name, file_ids: [id] }),
  });
  expect(store.ok).toBe(true);
  // OpenAI attaches the File in the background: the store bills its bytes once that is done.
  const { id: storeId } = (await store.json()) as { id: string };
  await expect
    .poll(async () => {
      const current = await fetch(`${url}/v1/vector_stores/${storeId}`, { headers });
      return ((await current.json()) as { file_counts: { completed: number } }).file_counts.completed;
    })
    .toBe(1);
}

/** Runs one GraphQL operation through the web app's same-origin proxy, as the signed-in admin. */
async function graphqlInPage<T>(
  page: Page,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  return page.evaluate(
    async ({ query, variables }) => {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    { query, variables },
  ) as Promise<T>;
}

async function pointCount(page: Page): Promise<number> {
  const body = await graphqlInPage<{ data: { viewer: { account: { usageHistory: { at: string[] } } } } }>(
    page,
    '{ viewer { account { usageHistory(range: WEEK, resolution: RUN) { at } } } }',
  );
  return body.data.viewer.account.usageHistory.at.length;
}

/** Starts a sync and waits (polling its run, the signal) until it has finished. */
async function syncAndWait(page: Page): Promise<void> {
  const started = await graphqlInPage<{ data: { startSync: { id: string } } }>(
    page,
    'mutation { startSync(input: {}) { ... on SyncRun { id } } }',
  );
  const id = started.data.startSync.id;
  await expect
    .poll(
      async () =>
        (
          await graphqlInPage<{ data: { syncRun: { status: string } } }>(
            page,
            'query ($id: ID!) { syncRun(id: $id) { status } }',
            { id },
          )
        ).data.syncRun.status,
      { timeout: 20_000 },
    )
    .toBe('SUCCEEDED');
}

test('after three syncs the Insights page charts storage, cost, orphans and runs; the top stores link to their pages', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signIn(page);
  const before = await pointCount(page);
  for (const [i, bytes] of [200_000, 400_000, 800_000].entries()) {
    await storeWithFile(`Insights growth ${i + 1}`, bytes);
    await syncAndWait(page);
  }
  // One point per completed sync, written by the server as each run finished.
  await expect.poll(() => pointCount(page)).toBe(before + 3);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Insights' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Insights' })).toBeVisible();
  for (const id of ['chart-storage', 'chart-cost', 'chart-orphans', 'chart-runs']) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', 'true');
    await expect(page.getByTestId(id).locator('canvas')).toBeVisible();
  }
  const points = before + 3;
  await expect(page.getByTestId('chart-storage-summary')).toContainText(`over ${points} points`);
  await expect(page.getByTestId('chart-storage-summary')).toContainText(
    /the quota is reached on \d{4}-\d{2}-\d{2}/,
  );
  await expect(page.getByTestId('chart-storage-summary')).toContainText('of the 2.5 TB quota is used');
  await expect(page.getByTestId('chart-cost-summary')).toContainText('Estimated cost per day: $');
  await expect(page.getByTestId('chart-orphans-summary')).toContainText(/Orphan Files went from \d+ to \d+/);
  await expect(page.getByTestId('chart-runs-summary')).toContainText(`${points} sync runs completed`);
  // The hidden tables hold every point for screen readers: the storage one also holds the forecast's end.
  await expect(page.getByTestId('chart-runs-table').locator('tbody tr')).toHaveCount(points);
  await expect(page.getByTestId('quota-date')).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
  await page.screenshot({ path: artifact('insights'), fullPage: true });

  // Phone width: the charts shrink to the screen rather than overflow it.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: artifact('insights-phone'), fullPage: true });
  await page.setViewportSize({ width: 1366, height: 860 });

  // Costliest first: of the stores added here, the biggest comes before the smaller ones; its link opens its page.
  const names = await page.getByTestId('top-store').getByRole('link').allTextContents();
  expect(names.length).toBeGreaterThanOrEqual(3);
  expect(names.length).toBeLessThanOrEqual(10);
  const order = ['Insights growth 3', 'Insights growth 2', 'Insights growth 1'].map((n) => names.indexOf(n));
  expect(order[0]).toBeGreaterThanOrEqual(0);
  expect(order).toEqual([...order].sort((a, b) => a - b));
  const link = page.getByTestId('top-store').getByRole('link', { name: 'Insights growth 3' });
  await expect(link).toHaveAttribute('href', /\/stores\/.+/);
  await link.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Insights growth 3' })).toBeVisible();
});
