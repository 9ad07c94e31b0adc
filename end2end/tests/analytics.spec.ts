import { DEMO, login, newPhoneFriend, open, test, expect } from './helpers';

/** Clickers per hundred reached to one decimal, rounded half up (as the page shows it). */
function rate(clickers: number, reached: number): string {
  const tenths = Math.floor((clickers * 1000 + Math.floor(reached / 2)) / reached);
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}

test('a link in a broadcast is each patient’s own: a click on the phone shows on the report and the dashboard', async ({ page, context }) => {
  // The clinic's page the link leads to (no internet here).
  await context.route('https://clinic.example/**', (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: '<h1>予防接種のご案内</h1>' }),
  );
  await login(page, DEMO.owner);
  const patient = await newPhoneFriend(page, 'リンク 太郎');

  await open(page, '/broadcasts/new');
  await page.getByLabel('件名（スタッフ用）').fill('予防接種 リンク計測');
  await page.locator('#bubble-0-text').fill('インフルエンザ予防接種のご予約はこちら https://clinic.example/flu');
  await page.getByRole('radio', { name: /診療上のご連絡/ }).check();
  const recipients = parseInt((await page.getByTestId('cost').getByTestId('recipients').textContent())!, 10);
  await page.getByTestId('send').click();
  await page.getByTestId('confirm-send').click();
  await expect(page).toHaveURL(/\/broadcasts\/[A-Za-z0-9_-]+$/);
  const report = page.url();
  await expect(page.getByTestId('status')).toHaveText('完了', { timeout: 30_000 });
  await expect(page.getByTestId('clickers')).toHaveText('0');

  // On the patient's phone the address is their own short link on our site.
  await open(page, '/sandbox');
  await page.getByLabel('操作する人').selectOption(patient);
  const chat = page.getByTestId('phone-chat');
  const link = chat.getByRole('link', { name: /\/l\/[A-Za-z0-9_-]{35}$/ }).last();
  await expect(link).toBeVisible();
  expect(await link.getAttribute('href')).not.toContain('clinic.example');
  const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await expect(tab.getByRole('heading', { name: '予防接種のご案内' })).toBeVisible();
  expect(tab.url()).toBe('https://clinic.example/flu');
  await tab.close();

  // The report counts the person and the rate, and the link's own row.
  await page.goto(report);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByTestId('clickers')).toHaveText('1');
  await expect(page.getByTestId('click-rate')).toHaveText(rate(1, recipients));
  const row = page.getByTestId('link-table').getByRole('row', { name: /clinic\.example\/flu/ });
  await expect(row).toContainText('1');
  await expect(page.getByTestId('csv-download')).toHaveAttribute('download', '予防接種 リンク計測-links.csv');

  // The dashboard's recent sends show it too.
  await open(page, '/');
  const sent = page.getByTestId('tile-sends').getByRole('row', { name: /予防接種 リンク計測/ });
  await expect(sent.getByTestId('send-clickers')).toHaveText('1');
  await expect(sent).toContainText(rate(1, recipients));
  await expect(page.getByTestId('tile-friends').getByRole('img')).toBeVisible();
  expect(parseInt((await page.getByTestId('friends-followed').textContent())!, 10)).toBeGreaterThan(0);
});
