import { DEMO, login, open, test, expect } from './helpers';

test.describe('at tablet width', () => {
  test.use({ viewport: { width: 768, height: 1024 } });

  test('navigation stays reachable and nothing overflows the page', async ({ page }) => {
    await login(page, DEMO.owner);
    const nav = page.getByRole('navigation', { name: 'メインナビゲーション' });
    await expect(nav.getByRole('link', { name: 'ダッシュボード' })).toBeVisible();
    await nav.getByRole('link', { name: '設定' }).scrollIntoViewIfNeeded();
    await nav.getByRole('link', { name: '設定' }).click();
    await expect(page.getByRole('heading', { name: '設定', level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

test('the owner switches clinics with the keyboard', async ({ page }) => {
  await login(page, DEMO.owner);
  await expect(page.getByTestId('clinic-name')).toContainText('さくらファミリークリニック');
  await page.getByLabel('クリニック').focus();
  await page.getByLabel('クリニック').selectOption({ label: 'さくら皮膚科クリニック' });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('clinic-name').locator('option[selected]')).toHaveText('さくら皮膚科クリニック');
});

test('the first Tab reaches the skip link to the content', async ({ page }) => {
  await login(page, DEMO.viewer);
  await open(page, '/');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: '本文へスキップ' })).toBeFocused();
});
