import { rmSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { cloneAndInstall, startProduct, type RunningProduct } from '../../scripts/fresh-clone.mjs';

const artifact = (name: string) => new URL(`../e2e/artifacts/${name}.png`, import.meta.url).pathname;

async function signIn(page: Page, webUrl: string, token: string): Promise<void> {
  await page.goto(webUrl);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Vector stores' })).toBeVisible();
}

/** Both kinds of store on screen: the emulator's demo stores mirrored, and the local demo stores. */
async function expectDemoStores(page: Page): Promise<void> {
  const rows = page.getByTestId('store-row');
  // The first sync runs right after start; the list follows it without a reload.
  await expect(rows.filter({ hasText: 'Support KB' })).toContainText('OpenAI Mirror', { timeout: 120_000 });
  await expect(rows.filter({ hasText: 'Contracts 2026' })).toContainText('OpenAI Mirror');
  await expect(rows.filter({ hasText: 'Drafts (local)' })).toContainText('Local');
}

// Root's own home is mode 0700: PostgreSQL's unprivileged user cannot enter a checkout there.
for (const mode of [0o755, 0o700]) {
  test(`pnpm install && pnpm start in a fresh clone in a ${mode.toString(8)} folder shows the demo stores, and keeps them`, async ({
    page,
  }) => {
    const clone = cloneAndInstall(mode);
    let product: RunningProduct | undefined;
    let keptDatabase: string | null = null;
    try {
      product = await startProduct(clone.dir);
      await product.ready;
      const token = product.token();
      expect(token, product.output()).toBeTruthy();
      keptDatabase = product.keptDatabase();
      await signIn(page, product.webUrl, token!);
      await expectDemoStores(page);
      await page.screenshot({ path: artifact(`new-user-${mode.toString(8)}`), fullPage: true });

      // Ctrl-C: everything stops in order (the server logs its clean stop).
      await product.interrupt();
      expect(product.output()).toMatch(/"code":0,"msg":"Stopped"/);

      product = await startProduct(clone.dir);
      await product.ready;
      expect(product.output()).not.toContain('Admin token');
      await page.context().clearCookies();
      await signIn(page, product.webUrl, token!);
      await expectDemoStores(page);
      await expect(page.getByTestId('store-row').filter({ hasText: 'Onboarding notes' })).toHaveCount(1);
      await product.interrupt();
    } finally {
      product?.kill();
      clone.remove();
      // A private checkout keeps its database outside (see server/src/db/postgres-placement.ts).
      if (keptDatabase) rmSync(keptDatabase.replace(/\/postgres$/, ''), { recursive: true, force: true });
    }
  });
}
