import { DEMO, login, open, test, expect } from './helpers';

test('tags in folders with their rules; a new tag is attached on a friend, removed again, and put on several friends at once', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/tags');
  // The demo's tag design: folders, tags with the rule staff follow, counts.
  for (const folder of ['診療科', '年齢層', '来院状況', 'ニーズ']) {
    await expect(page.getByRole('heading', { name: folder })).toBeVisible();
  }
  const hbp = page.getByTestId('tag-row').filter({ hasText: '健診で血圧が基準値を超えた方に付けます' });
  await expect(hbp.locator('.tag')).toHaveText('高血圧');

  // The overlap of two tags.
  await page.locator('#overlap-a').selectOption({ label: '高血圧' });
  await page.locator('#overlap-b').selectOption({ label: '内科' });
  await page.getByRole('button', { name: '人数を見る' }).click();
  await expect(page.getByTestId('overlap')).toContainText('両方');

  // A new tag; a taken name is refused and the form keeps what was typed.
  const form = page.getByTestId('tag-form');
  await form.getByLabel('タグ名（30文字まで）').fill('高血圧');
  await form.getByRole('button', { name: 'タグを作成' }).click();
  await expect(page.getByText('同じ名前がすでにあります')).toBeVisible();
  await expect(form.getByLabel('タグ名（30文字まで）')).toHaveValue('高血圧');
  await form.getByLabel('タグ名（30文字まで）').fill('骨粗しょう症検診希望');
  await form.getByLabel('フォルダ').selectOption({ label: 'ニーズ' });
  await form.getByLabel('付けるときのルール').fill('検診の希望を受付で聞いたときに付けます');
  await form.getByRole('button', { name: 'タグを作成' }).click();
  const row = page.getByTestId('tag-row').filter({ hasText: '骨粗しょう症検診希望' });
  await expect(row).toContainText('検診の希望を受付で聞いたときに付けます');
  await expect(row).toContainText('0');

  // On a friend's page: attach, then remove.
  await open(page, '/friends');
  await page.getByTestId('friend-row').first().getByRole('link').click();
  const box = page.getByTestId('friend-tags');
  await box.getByLabel('付けるタグ').selectOption({ label: '骨粗しょう症検診希望' });
  await box.getByRole('button', { name: '付ける' }).click();
  const badge = box.getByRole('listitem').filter({ hasText: '骨粗しょう症検診希望' });
  await expect(badge).toBeVisible();
  await badge.getByRole('button', { name: '「骨粗しょう症検診希望」を外す' }).click();
  await expect(badge).toHaveCount(0);
  // It is offered to attach again.
  await expect(box.getByLabel('付けるタグ').locator('option', { hasText: '骨粗しょう症検診希望' })).toHaveCount(1);

  // In bulk from the list: three friends picked.
  await open(page, '/friends');
  const rows = page.getByTestId('friend-row');
  for (let i = 0; i < 3; i++) await rows.nth(i).getByRole('checkbox').check();
  const bar = page.getByTestId('bulk-tags');
  await expect(bar).toContainText('3人を選択中');
  await bar.getByLabel('選んだ友だちに').selectOption({ label: '骨粗しょう症検診希望' });
  await bar.getByRole('button', { name: 'タグを付ける' }).click();
  await expect(bar).toContainText('3人の友だちを更新しました');
  await open(page, '/tags');
  await expect(page.getByTestId('tag-row').filter({ hasText: '骨粗しょう症検診希望' })).toContainText('3');
});
