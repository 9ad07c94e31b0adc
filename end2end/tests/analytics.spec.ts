import { DEMO, login, newPhoneFriend, open, test, expect, SEND_PAGE } from './helpers';

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
  await expect(page.getByTestId('tracked-note')).toContainText('リンク1件');
  await page.getByRole('radio', { name: /診療上のご連絡/ }).check();
  const recipients = parseInt((await page.getByTestId('cost').getByTestId('recipients').textContent())!, 10);
  await page.getByTestId('send').click();
  await page.getByTestId('confirm-send').click();
  await expect(page).toHaveURL(SEND_PAGE);
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

test('a new route: its URL and QR code, and a new person who follows through it gets its greeting and is counted', async ({ page, context }) => {
  await login(page, DEMO.owner);
  await open(page, '/analytics');
  await expect(page.getByRole('heading', { name: '流入経路', exact: true })).toBeVisible();
  const name = `待合室ポスター ${Date.now() % 100000}`;
  await page.getByLabel('経路の名前').fill(name);
  await page.getByRole('button', { name: '経路を作る' }).click();
  const row = page.getByTestId('routes-table').getByRole('row', { name: new RegExp(name) });
  await expect(row).toBeVisible();
  await expect(page.getByLabel('経路の名前')).toHaveValue('');
  await expect(row.getByTestId('route-friends')).toHaveText('0');
  await expect(row).toContainText('20人から表示');
  const url = (await row.locator('code').textContent())!;
  expect(url).toMatch(/\/r\/[A-Za-z0-9_-]{12}$/);
  // The QR code for the poster, as SVG and PNG.
  const svg = await page.request.get(await row.getByRole('link', { name: 'SVG' }).getAttribute('href') as string);
  expect(svg.headers()['content-type']).toBe('image/svg+xml');
  expect(await svg.text()).toContain('<svg');
  const png = await page.request.get(await row.getByRole('link', { name: 'PNG' }).getAttribute('href') as string);
  expect(png.headers()['content-type']).toBe('image/png');

  // Opened without LINE, the page says to use LINE.
  await open(page, new URL(url).pathname);
  await expect(page.getByText('LINEアプリで開いてください', { exact: false })).toBeVisible();

  // A new simulated person reads the QR code in LINE: the route's page.
  await open(page, '/sandbox');
  await page.getByPlaceholder('表示名（20文字まで）').fill('経路 花子');
  await page.getByRole('button', { name: '追加', exact: true }).click();
  await expect(page.getByTestId('phone-name')).toHaveText('経路 花子');
  const who = await page.getByLabel('操作する人').inputValue();
  await page.getByLabel('流入経路から追加').selectOption({ label: name });
  const [landing] = await Promise.all([context.waitForEvent('page'), page.getByTestId('open-route').click()]);
  await expect(landing.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(landing.getByRole('heading', { name: 'さくらファミリークリニック' })).toBeVisible();
  await landing.getByRole('button', { name: '友だち追加' }).click();
  await expect(landing.getByTestId('landing-done')).toBeVisible();
  await landing.close();

  // The route's greeting arrives on the phone.
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('操作する人').selectOption(who);
  await expect(page.getByTestId('phone-chat').getByText('友だち追加ありがとうございます。ご予約やお知らせをこのLINEでお届けします。')).toBeVisible({ timeout: 15_000 });

  // And the route counts them.
  await open(page, '/analytics');
  await expect(page.getByTestId('routes-table').getByRole('row', { name: new RegExp(name) }).getByTestId('route-friends')).toHaveText('1');
});
