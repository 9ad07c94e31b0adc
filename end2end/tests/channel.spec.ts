import { DEMO, login, open, test, expect } from './helpers';

test('the owner sees the webhook URL, tests the sandbox connection, and a bad secret is refused', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/settings');
  await page.getByRole('link', { name: 'LINE連携' }).click();
  await expect(page.getByTestId('webhook-url')).toHaveText(/^http:\/\/127\.0\.0\.1:3100\/line\/webhook\/.+/);
  await expect(page.getByLabel('サンドボックス（練習・デモ用。LINEには送信しません）')).toBeChecked();

  await page.getByRole('button', { name: '接続テスト' }).click();
  await expect(page.getByTestId('connection-ok')).toContainText('さくらファミリークリニック');
  await expect(page.getByTestId('connection-ok')).toContainText('上限 5000');

  await page.getByLabel('LINE公式アカウント（本番）').check();
  await page.getByLabel('チャネルID').fill('1650000000');
  await page.getByLabel('チャネルシークレット').fill('not-a-secret');
  await page.getByLabel('チャネルアクセストークン（長期）').fill('token');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('alert')).toContainText('チャネルシークレットは32文字の英数字です');
  // A well-formed secret: the demo's generated key may not hold a real
  // account's secrets, and the page says what to set.
  await page.getByLabel('チャネルシークレット').fill('0123456789abcdef0123456789abcdef');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('alert')).toContainText('YORISOI_SECRET_KEY を設定してください');
  // What was typed stays, and the clinic is still on the sandbox.
  await expect(page.getByLabel('チャネルID')).toHaveValue('1650000000');
  await open(page, '/settings/line');
  await expect(page.getByLabel('サンドボックス（練習・デモ用。LINEには送信しません）')).toBeChecked();
});

test('a viewer has no LINE settings, and the server refuses them', async ({ page }) => {
  await login(page, DEMO.viewer);
  await open(page, '/settings');
  await expect(page.getByRole('link', { name: 'LINE連携' })).toHaveCount(0);
  const response = await page.goto('/settings/line');
  expect(response?.status()).toBe(403);
});
