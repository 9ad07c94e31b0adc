import { DEMO, open, login, logout, submitLogin, totp, test, expect } from './helpers';

test('the login page is in Japanese and switches to English', async ({ page }) => {
  await open(page, '/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(page.getByRole('heading', { name: 'ログイン' })).toBeVisible();
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page.getByLabel('E-mail address')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('link', { name: '日本語' }).click();
  await expect(page.getByRole('heading', { name: 'ログイン' })).toBeVisible();
});

test('every demo login works and shows its role', async ({ page }) => {
  for (const who of Object.values(DEMO)) {
    await login(page, who);
    await expect(page.getByTestId('role')).toHaveText(who.role);
    await expect(page.getByTestId('clinic-name')).toContainText('さくらファミリークリニック');
    await logout(page);
  }
});

test('a wrong password is refused with a clear message and the typed e-mail is kept', async ({ page }) => {
  await submitLogin(page, DEMO.owner.email, 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('メールアドレスまたはパスワードが正しくありません。');
  await expect(page.getByLabel('メールアドレス')).toHaveValue(DEMO.owner.email);
  await expect(page).toHaveURL(/\/login$/);
});

test('the signed-in shell has every area, each a page of its own in Japanese and English', async ({ page }) => {
  await login(page, DEMO.marketer);
  const nav = page.getByRole('navigation', { name: 'メインナビゲーション' });
  for (const area of ['ダッシュボード', '友だち', '予約', 'タグ', 'セグメント', '自動アクション', '配信', 'ステップ配信', 'リッチメニュー', '職員連絡', '分析', '設定']) {
    await expect(nav.getByRole('link', { name: area, exact: true })).toBeVisible();
  }
  await nav.getByRole('link', { name: '分析', exact: true }).click();
  await expect(page.getByRole('heading', { name: '分析', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: '流入経路', exact: true })).toBeVisible();
  // In English too.
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Analytics', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Inflow routes', exact: true })).toBeVisible();
  await page.getByRole('link', { name: '日本語' }).click();
  await expect(page.getByRole('heading', { name: '分析', exact: true })).toBeVisible();
});

test('a viewer is refused the staff page by the server, not only by a hidden link', async ({ page }) => {
  await login(page, DEMO.viewer);
  await page.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: '設定' }).click();
  await expect(page.getByRole('link', { name: 'スタッフ' })).toHaveCount(0);
  const response = await page.goto('/settings/staff');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('このページを表示する権限がありません');
  await expect(page.getByTestId('staff-table')).toHaveCount(0);
});

test('an owner invites a nurse who sets a password and logs in', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/settings/staff');
  await expect(page.getByTestId('staff-row')).toHaveCount(4);
  await page.getByLabel('氏名').fill('山田 看護師');
  await page.getByLabel('メールアドレス').fill('nurse@sakura.example');
  await page.getByRole('button', { name: '招待リンクを作成' }).click();
  const link = await page.getByTestId('invite-link').textContent();
  expect(link).toMatch(/^\/invite\//);
  await expect(page.getByTestId('staff-row')).toHaveCount(5);
  await logout(page);

  await open(page, link!);
  await expect(page.getByText('nurse@sakura.example')).toBeVisible();
  await page.getByLabel('新しいパスワード', { exact: true }).fill('nurse-password-2026');
  await page.getByLabel('新しいパスワード（確認）').fill('nurse-password-2026');
  await page.getByRole('button', { name: 'パスワードを設定してログインへ' }).click();
  await expect(page.getByText('パスワードを設定しました。ログインしてください。')).toBeVisible();
  await login(page, { email: 'nurse@sakura.example', password: 'nurse-password-2026', name: '山田 看護師' });
  await expect(page.getByTestId('role')).toHaveText('スタッフ');
});

test('TOTP: enrol in settings, then login asks for the code', async ({ page }) => {
  await login(page, DEMO.marketer);
  await open(page, '/settings');
  await expect(page.getByTestId('totp-status')).toHaveText('無効');
  await page.getByRole('button', { name: '設定を始める' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel('表示された6桁のコードで確認').fill(totp(secret));
  await page.getByRole('button', { name: '確認' }).click();
  await expect(page.getByTestId('totp-status')).toHaveText('有効');
  await logout(page);

  await submitLogin(page, DEMO.marketer.email, DEMO.marketer.password);
  await expect(page).toHaveURL(/\/login\/totp$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('確認コード').fill('000000' === totp(secret, 1) ? '111111' : '000000');
  await page.getByRole('button', { name: '確認' }).click();
  await expect(page.getByRole('alert')).toContainText('確認コードが正しくないか');
  // The next step's code: the enrolment already used this step's.
  await page.getByLabel('確認コード').fill(totp(secret, 1));
  await page.getByRole('button', { name: '確認' }).click();
  await expect(page.getByTestId('who')).toContainText(DEMO.marketer.name);
});

test('logout ends the session', async ({ page }) => {
  await login(page, DEMO.owner);
  await logout(page);
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/login$/);
});

