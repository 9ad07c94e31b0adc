import { readFileSync } from 'fs';
import { DEMO, login, open, test, expect } from './helpers';

/** Demo patient 0 has patient number 100000 (seeded after the follows). */
const NUMBER = '100000';

test('front desk records patient details and a memo; a refused value is explained and kept', async ({ page }) => {
  await login(page, DEMO.staff);
  await expect(async () => {
    await open(page, '/friends?q=' + NUMBER);
    await expect(page.getByTestId('friend-row')).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await page.getByTestId('friend-row').getByRole('link').click();
  await expect(page.getByLabel('診察券番号')).toHaveValue(NUMBER);
  await expect(page.getByTestId('age')).toContainText('歳');

  // Kanji in フリガナ: said at once, by the same rule the server applies.
  const kana = page.getByLabel('フリガナ');
  await kana.fill('山田');
  await expect(page.getByText('フリガナはカタカナで入力してください')).toBeVisible();
  await kana.fill('やまだ はなこ');
  await expect(page.getByText('フリガナはカタカナで入力してください')).toHaveCount(0);
  await page.getByLabel('性別').selectOption({ label: '女性' });
  await page.getByRole('button', { name: '患者情報を保存' }).click();
  await expect(page.getByText('患者情報を保存しました。')).toBeVisible();

  // A number another patient has: refused, and what was typed stays.
  await page.getByLabel('診察券番号').fill('100037');
  await page.getByRole('button', { name: '患者情報を保存' }).click();
  await expect(page.getByRole('alert')).toContainText('この診察券番号は別の友だちで使われています');
  await expect(page.getByLabel('診察券番号')).toHaveValue('100037');

  await page.getByLabel('スタッフメモ').fill('ペニシリンにアレルギーあり');
  await page.getByRole('button', { name: 'メモを保存' }).click();
  await expect(page.getByText('メモを保存しました。')).toBeVisible();

  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByLabel('フリガナ')).toHaveValue('ヤマダ ハナコ');
  await expect(page.getByLabel('診察券番号')).toHaveValue(NUMBER);
  await expect(page.getByLabel('スタッフメモ')).toHaveValue('ペニシリンにアレルギーあり');
});

test('the patient CSV exports, and an edited copy imports its good rows only', async ({ page }) => {
  await login(page, DEMO.staff);
  await expect(async () => {
    await open(page, '/friends?q=100074');
    await expect(page.getByTestId('friend-row')).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await open(page, '/friends');
  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const file = await downloading;
  expect(file.suggestedFilename()).toMatch(/^patients-\d{8}\.csv$/);
  const csv = readFileSync((await file.path())!, 'utf8');
  expect(csv.startsWith('\ufeff友だちID,LINEユーザーID,LINE表示名,診察券番号,フリガナ,生年月日,性別,状態\r\n')).toBe(true);
  const lines = csv.replace(/^\ufeff/, '').trimEnd().split('\r\n');
  expect(lines.length).toBeGreaterThan(300);

  // Change one patient's kana; give another a birth date in the future.
  const good = lines.findIndex((l) => l.split(',')[3] === '100074');
  const bad = lines.findIndex((l) => l.split(',')[3] === '100111');
  const edit = (i: number, col: number, value: string) => {
    const cells = lines[i].split(',');
    cells[col] = value;
    lines[i] = cells.join(',');
  };
  edit(good, 4, 'テスト トリコミ');
  edit(bad, 5, '2999-01-01');
  edit(bad, 4, 'カワラナイ');
  const edited = lines.join('\r\n') + '\r\n';

  await page.getByRole('link', { name: 'CSVを取り込む' }).click();
  await expect(page.getByRole('heading', { name: '患者情報のCSV取り込み' })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('CSVファイル').setInputFiles({ name: 'patients.csv', mimeType: 'text/csv', buffer: Buffer.from(edited, 'utf8') });
  const report = page.getByTestId('import-report');
  await expect(report).toContainText(`取り込める行: ${lines.length - 2}`);
  const problems = page.getByTestId('import-problems');
  await expect(problems).toContainText('生年月日が今日より後になっています。');
  await expect(problems).toContainText(String(bad + 1));
  await page.getByRole('button', { name: /問題のない\d+行を取り込む/ }).click();
  await expect(page.getByTestId('import-done')).toContainText('行を取り込みました');

  await open(page, '/friends?q=' + encodeURIComponent('トリコミ'));
  await expect(page.getByTestId('friend-row')).toHaveCount(1);
  await open(page, '/friends?q=' + encodeURIComponent('カワラナイ'));
  await expect(page.getByText('条件に合う友だちはいません。')).toBeVisible();
});

test('viewers read patient details but cannot change or export them', async ({ page }) => {
  await login(page, DEMO.viewer);
  await expect(async () => {
    await open(page, '/friends?q=100037');
    await expect(page.getByTestId('friend-row')).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId('export-csv')).toHaveCount(0);
  await page.getByTestId('friend-row').getByRole('link').click();
  await expect(page.getByRole('heading', { name: '患者情報' })).toBeVisible();
  await expect(page.getByText('100037')).toBeVisible();
  await expect(page.getByRole('button', { name: '患者情報を保存' })).toHaveCount(0);
  const res = await page.request.get('/friends/patients.csv');
  expect(res.status()).toBe(403);
});
