import { DEMO, login, open, test, expect } from './helpers';

const THREE = ['内科', '高血圧', '定期通院中'];

test('a segment built from three conditions counts exactly the friends the list shows for them', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/segments/new');

  // The builder starts with one condition; two more are added, each a tag.
  const add = page.getByRole('button', { name: '＋ 条件を追加' });
  await add.click();
  await add.click();
  const tags = page.getByTestId('cond-tag');
  await expect(tags).toHaveCount(3);
  for (const [i, name] of THREE.entries()) {
    await tags.nth(i).selectOption({ label: name });
  }
  const count = page.getByTestId('segment-count');
  await expect(async () => {
    await expect(count).toHaveText(/^\d+人$/, { timeout: 1000 });
  }).toPass();
  // Wait for the count of the final rule (each change refetches it).
  await page.waitForTimeout(500);
  const n = Number((await count.textContent())!.replace('人', ''));
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThan(50);

  // An empty group is refused by the browser with the reason, before any save.
  await page.getByRole('button', { name: '＋ グループを追加' }).click();
  const group = page.getByTestId('rule-group').nth(1);
  await group.getByRole('button', { name: 'この条件を削除' }).click();
  await expect(page.getByTestId('rule-problems')).toContainText('グループに条件がありません');
  await expect(page.getByTestId('save-segment')).toBeDisabled();
  await page.getByTestId('rule-item').last().getByRole('button', { name: 'この条件を削除' }).click();
  await expect(count).toHaveText(`${n}人`);

  await page.getByLabel('セグメント名').fill('内科の高血圧・定期通院');
  await page.getByTestId('save-segment').click();
  await expect(page).toHaveURL(/\/segments\/(?!new$)[A-Za-z0-9_-]+$/);
  await expect(page.getByRole('status').filter({ hasText: '保存しました' })).toBeVisible();

  // The friend list filtered by the same three tags (its own SQL, not the
  // segment index) shows the same friends.
  await open(page, '/friends');
  await page.getByText('タグで絞り込む').click();
  for (const name of THREE) {
    await page.getByLabel(name, { exact: true }).check();
  }
  await page.getByRole('button', { name: '絞り込む' }).click();
  await expect(page).toHaveURL(/tag=/);
  await expect(page.getByTestId('friend-row')).toHaveCount(n);

  // The saved segment is listed with its count.
  await open(page, '/segments');
  const row = page.getByRole('row', { name: /内科の高血圧・定期通院/ });
  await expect(row).toContainText(`${n}人`);
  // The demo's own segments are there too.
  await expect(page.getByRole('link', { name: '生活習慣病リスク' })).toBeVisible();
});

test('a viewer reads segments but cannot save them', async ({ page }) => {
  await login(page, DEMO.viewer);
  await open(page, '/segments');
  await expect(page.getByRole('link', { name: '新しいセグメント' })).toHaveCount(0);
  await page.getByRole('link', { name: '生活習慣病リスク' }).click();
  await expect(page.getByTestId('segment-count')).toHaveText(/^\d+人$/);
  await expect(page.getByTestId('save-segment')).toHaveCount(0);
});
