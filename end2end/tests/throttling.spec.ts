import { DEMO, submitLogin, test, expect } from './helpers';

// This file runs last (files run in name order, one at a time): it locks
// the staff account for the rest of the run.
test('repeated wrong passwords lock the account with a clear message', async ({ page }) => {
  for (let i = 0; i < 4; i++) {
    await submitLogin(page, DEMO.staff.email, `wrong-password-${i}`);
    await expect(page.getByRole('alert')).toHaveText('メールアドレスまたはパスワードが正しくありません。');
  }
  await submitLogin(page, DEMO.staff.email, 'wrong-password-4');
  await expect(page.getByRole('alert')).toContainText('ログインの失敗が続いたため、一時的にロックしています。30秒後');
  // Even the right password waits.
  await submitLogin(page, DEMO.staff.email, DEMO.staff.password);
  await expect(page.getByRole('alert')).toContainText('一時的にロックしています');
  await expect(page).toHaveURL(/\/login$/);
});
