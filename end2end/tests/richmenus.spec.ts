import { DEMO, login, newPhoneFriend, open, test, expect } from './helpers';
import type { Page } from '@playwright/test';

/** Drags on the designer's picture from one point to another, each given
 * as fractions of its width and height. */
async function draw(page: Page, from: [number, number], to: [number, number]) {
  const surface = page.getByTestId('rm-surface');
  await surface.scrollIntoViewIfNeeded();
  const box = (await surface.boundingBox())!;
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 8 });
  await page.mouse.up();
}

/** Names the area being edited and chooses what it does. */
async function describe(page: Page, label: string, kind: string) {
  const panel = page.getByTestId('rm-panel');
  await panel.getByLabel('エリアの名前（20文字まで）').fill(label);
  await panel.getByLabel('押したときの動き').selectOption({ label: kind });
}

/** Reloads the list until LINE is said to show everything. */
async function waitForLine(page: Page) {
  await expect(async () => {
    await open(page, '/richmenus');
    await expect(page.locator('[data-testid="rm-sync"][data-in-step="true"]')).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
}

test('a menu drawn by mouse is published, its tab switch and its postback work in the phone, and a tag change brings the segment menu', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/richmenus');
  // The demo's own menus are there, with who sees them.
  await expect(page.getByTestId('rich-menu').filter({ hasText: '外来メニュー' })).toBeVisible();
  await page.getByTestId('new-rich-menu').click();
  await expect(page.getByRole('heading', { name: '新しいメニュー' })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('メニュー名（管理用）').fill('テスト用メニュー');
  await page.getByLabel('メニューバーの文字（14文字まで）').fill('テスト');
  await page.getByLabel('メニューバーの文字（14文字まで）').blur();

  // A second tab to switch to, with a way back.
  await page.getByTestId('rm-add-tab').click();
  await page.getByLabel('メニューバーの文字（14文字まで）').fill('テスト2');
  await page.getByLabel('メニューバーの文字（14文字まで）').blur();
  await draw(page, [0.1, 0.15], [0.9, 0.85]);
  await describe(page, '戻る', 'タブを切り替える');
  await page.getByTestId('rm-panel').getByLabel('表示するタブ').selectOption({ label: 'タブ1' });
  await page.getByTestId('rm-tab').first().click();

  // Three areas drawn with the mouse on the compact picture.
  await draw(page, [0.06, 0.1], [0.3, 0.9]);
  await describe(page, '予防接種', '自動アクションを動かす');
  await page.getByTestId('rm-panel').getByLabel('合図の名前').fill('vaccine=flu');
  await draw(page, [0.38, 0.1], [0.62, 0.9]);
  await describe(page, '次のタブ', 'タブを切り替える');
  await page.getByTestId('rm-panel').getByLabel('表示するタブ').selectOption({ label: 'タブ2' });
  await draw(page, [0.7, 0.1], [0.94, 0.9]);
  await describe(page, 'アクセス', 'リンクを開く');
  await page.getByTestId('rm-panel').getByLabel('開くページのURL').fill('https://sakura-clinic.example/access');
  await expect(page.getByTestId('rm-area')).toHaveCount(3);
  // An overlapping area is named as a problem and publishing waits.
  await draw(page, [0.25, 0.2], [0.45, 0.8]);
  await expect(page.getByTestId('rm-problems')).toContainText('重なっています');
  await expect(page.getByTestId('rm-publish')).toBeDisabled();
  await page.getByRole('button', { name: '元に戻す' }).click();
  await expect(page.getByTestId('rm-area')).toHaveCount(3);
  // The keyboard moves an area and Delete removes one; undo brings it back.
  await page.getByTestId('rm-area').nth(2).focus();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('rm-area')).toHaveCount(2);
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('rm-area')).toHaveCount(3);
  await expect(page.getByTestId('rm-problems')).toHaveCount(0);

  await page.getByTestId('rm-publish').click();
  await expect(page).toHaveURL(/\/richmenus\?published=1$/, { timeout: 20_000 });
  const card = page.getByTestId('rich-menu').filter({ hasText: 'テスト用メニュー' });
  await expect(card).toContainText('公開中');

  // Everyone without a rule sees it: the default.
  const rules = page.getByTestId('rm-rules');
  await rules.getByLabel('既定のメニュー').selectOption({ label: 'テスト用メニュー' });
  await rules.getByTestId('rm-save-rules').click();
  await expect(rules.getByRole('status')).toContainText('保存しました');
  await waitForLine(page);
  // LINE's taps per area, asked for only when opened: nobody yet, so LINE
  // says no more than "fewer than 20".
  const stats = page.getByTestId('rich-menu').filter({ hasText: 'テスト用メニュー' }).getByTestId('rm-stats');
  await stats.locator('summary').click();
  await expect(stats.locator('table').first()).toContainText('20人未満', { timeout: 15_000 });
  await expect(stats).toContainText('次のタブ');

  // In the phone: the menu, its tab switch, and its postback.
  await newPhoneFriend(page, 'メニュー 花子');
  const menu = page.getByTestId('rich-menu');
  await expect(menu.getByRole('button', { name: /テスト ▾/ })).toBeVisible({ timeout: 15_000 });
  await menu.getByRole('button', { name: '次のタブ' }).click();
  await expect(menu.getByRole('button', { name: /テスト2 ▾/ })).toBeVisible({ timeout: 15_000 });
  await menu.getByRole('button', { name: '戻る' }).click();
  await expect(menu.getByRole('button', { name: /テスト ▾/ })).toBeVisible({ timeout: 15_000 });
  await menu.getByRole('button', { name: '予防接種' }).click();
  const chat = page.getByTestId('phone-chat');
  await expect(chat.getByText('インフルエンザ予防接種のご希望を承りました')).toBeVisible({ timeout: 15_000 });

  // The friend's page: the tag the tap added, and the menu they see.
  await open(page, '/friends?q=' + encodeURIComponent('メニュー 花子'));
  await page.getByRole('link', { name: 'メニュー 花子' }).click();
  await expect(page.getByTestId('friend-tags')).toContainText('インフルエンザワクチン希望');
  await expect(page.getByTestId('friend-rich-menu')).toContainText('テスト用メニュー');

  // Tagged スタッフ, they are in the staff segment and see its menu.
  const box = page.getByTestId('friend-tags');
  await box.getByLabel('付けるタグ').selectOption({ label: 'スタッフ' });
  await box.getByRole('button', { name: '付ける' }).click();
  await expect(box.getByRole('listitem').filter({ hasText: 'スタッフ' })).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('friend-rich-menu')).toContainText('スタッフ用', { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId('friend-rich-menu')).toContainText('ルール1');
  await open(page, '/sandbox');
  await expect(async () => {
    await page.getByLabel('操作する人').selectOption({ label: 'メニュー 花子（友だち）' });
    await expect(page.getByTestId('phone-name')).toHaveText('メニュー 花子', { timeout: 1000 });
    await expect(page.getByTestId('rich-menu').getByRole('button', { name: /スタッフ用 ▾/ })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
});
