import type { Page } from '@playwright/test';
import { DEMO, login, open, test, expect } from './helpers';

/** Acts as `label` in the sandbox phone. The people list hydrates a moment
 * after the page, so the choice is repeated until the phone shows them. */
async function actAs(page: Page, label: string, name: string) {
  await expect(async () => {
    await page.getByLabel('操作する人').selectOption({ label });
    await expect(page.getByTestId('phone-name')).toHaveText(name, { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
}

/** Reloads until the condition holds: the webhook worker runs asynchronously. */
async function eventually(page: Page, check: () => Promise<void>) {
  await expect(async () => {
    await page.reload();
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await check();
  }).toPass({ timeout: 15_000 });
}

test('a new simulated patient follows, writes and blocks, and the clinic sees each step', async ({ page }) => {
  await login(page, DEMO.staff);
  await expect(page.getByRole('note')).toContainText('サンドボックス');
  await page.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: 'サンドボックス電話' }).click();
  await expect(page.getByRole('heading', { name: 'サンドボックス電話' })).toBeVisible();

  await page.getByPlaceholder('表示名（20文字まで）').fill('テスト 花子');
  await page.getByRole('button', { name: '追加', exact: true }).click();
  await expect(page.getByTestId('phone-name')).toHaveText('テスト 花子');
  await page.getByRole('button', { name: '友だち追加' }).click();
  await expect(page.getByPlaceholder('メッセージを入力')).toBeVisible();

  // The clinic sees the new friend, with the name LINE (the sandbox) gave.
  await open(page, '/friends?q=' + encodeURIComponent('テスト'));
  await eventually(page, async () => {
    await expect(page.getByRole('link', { name: 'テスト 花子' })).toBeVisible({ timeout: 1000 });
  });
  const row = page.getByTestId('friend-row').filter({ hasText: 'テスト 花子' });
  await expect(row).toContainText('友だち');
  const friendUrl = await page.getByRole('link', { name: 'テスト 花子' }).getAttribute('href');

  // Write as the patient; the message lands on their timeline.
  await open(page, '/sandbox');
  await actAs(page, 'テスト 花子（友だち）', 'テスト 花子');
  await page.getByPlaceholder('メッセージを入力').fill('明日の予約を変更したいです');
  await page.getByRole('button', { name: '送信' }).click();
  await expect(page.getByText('送信しました。')).toBeVisible();
  await open(page, friendUrl!);
  await eventually(page, async () => {
    await expect(page.getByTestId('timeline')).toContainText('明日の予約を変更したいです', { timeout: 1000 });
  });
  await expect(page.getByTestId('friend-status')).toHaveText('友だち');

  // Block: the status changes.
  await open(page, '/sandbox');
  await actAs(page, 'テスト 花子（友だち）', 'テスト 花子');
  await page.getByRole('button', { name: 'ブロック', exact: true }).click();
  await expect(page.getByRole('button', { name: 'ブロック解除' })).toBeVisible();
  await open(page, friendUrl!);
  await eventually(page, async () => {
    await expect(page.getByTestId('friend-status')).toHaveText('ブロック', { timeout: 1000 });
  });
  await expect(page.getByTestId('timeline')).toContainText('ブロック');
});

test('the friend list filters by status and pages through the demo patients', async ({ page }) => {
  await login(page, DEMO.viewer);
  await open(page, '/friends');
  // The demo's 300 patients arrive through the sandbox at start-up.
  await eventually(page, async () => {
    await expect(page.getByRole('link', { name: '次の50人' })).toBeVisible({ timeout: 1000 });
  });
  await expect(page.getByTestId('friend-row')).toHaveCount(50);
  const firstPage = (await page.getByTestId('friend-row').first().textContent())!;
  await page.getByRole('link', { name: '次の50人' }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByTestId('friend-row').first()).not.toHaveText(firstPage);
  await expect(page.getByTestId('friend-row')).toHaveCount(50);

  await open(page, '/friends');
  await page.getByLabel('状態').selectOption({ label: 'ブロック' });
  await page.getByRole('button', { name: '絞り込む' }).click();
  await expect(page).toHaveURL(/status=blocked/);
  const rows = page.getByTestId('friend-row');
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) expect(text).toContain('ブロック');

  await open(page, '/friends?q=' + encodeURIComponent('存在しない名前'));
  await expect(page.getByText('条件に合う友だちはいません。')).toBeVisible();
  // A viewer reads but does not get the sandbox phone.
  await expect(page.getByRole('link', { name: 'サンドボックス電話' })).toHaveCount(0);
});
