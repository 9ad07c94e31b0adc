import { DEMO, clinicChannel, login, newPhoneFriend, open, test, expect, SANDBOX, SANDBOX_HEADERS, SEND_PAGE } from './helpers';

// A valid 1×1 PNG.
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

test('a two-bubble broadcast to a segment: preview, cost, send, live progress to 100%, both bubbles on a phone', async ({ page, request }) => {
  await login(page, DEMO.owner);
  const channel = await clinicChannel(page);
  await open(page, '/broadcasts');
  await expect(page.getByRole('heading', { name: '配信', exact: true })).toBeVisible();
  await page.getByRole('link', { name: '新しい配信' }).click();
  await expect(page.getByRole('heading', { name: '新しい配信' })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  await page.getByLabel('件名（スタッフ用）').fill('健診のご案内 12月');
  await page.locator('#bubble-0-text').fill('【さくらファミリークリニック】特定健診のご案内です。');
  // LINE's limit is checked while typing, the way LINE counts.
  await page.locator('#bubble-0-text').fill('あ'.repeat(5001));
  await expect(page.getByTestId('field-problems').first()).toContainText('5000文字以内');
  await expect(page.getByTestId('send')).toBeDisabled();
  await page.locator('#bubble-0-text').fill('【さくらファミリークリニック】特定健診のご案内です。');
  await page.getByTestId('add-bubble').click();
  await page.locator('#bubble-1-text').fill('ご予約はメニューの「予約」からどうぞ。');
  // The advertising check flags a risky phrase with its reason, and lets go once it is gone.
  await page.locator('#bubble-1-text').fill('地域一番の健診です。ご予約はメニューの「予約」からどうぞ。');
  await expect(page.getByTestId('ad-check')).toContainText('地域一番');
  await expect(page.getByTestId('ad-check')).toContainText('比較優良広告');
  await page.locator('#bubble-1-text').fill('ご予約はメニューの「予約」からどうぞ。');
  await expect(page.getByTestId('ad-check')).toContainText('気になる表現は見つかりませんでした');

  // The phone preview shows both bubbles as they are typed.
  const preview = page.getByTestId('preview');
  await expect(preview.getByText('特定健診のご案内です。', { exact: false })).toBeVisible();
  await expect(preview.getByText('ご予約はメニューの「予約」からどうぞ。')).toBeVisible();

  // Kept as a template (定型文) in a folder, for next time.
  await page.getByTestId('templates').getByText('このメッセージを定型文として保存').click();
  await page.getByPlaceholder('フォルダ（任意）').fill('健診');
  await page.getByPlaceholder('定型文の名前').fill('特定健診の案内');
  await page.getByTestId('templates').getByRole('button', { name: '保存' }).click();
  await expect(page.getByTestId('templates')).toContainText('定型文を保存しました');

  await page.getByRole('radio', { name: 'セグメント' }).check();
  await page.locator('#bc-segment').selectOption({ label: '生活習慣病リスク' });
  // An operational notice, so the journey does not depend on the hour (quiet hours).
  await page.getByRole('radio', { name: /診療上のご連絡/ }).check();
  const cost = page.getByTestId('cost');
  await expect(cost.getByTestId('recipients')).toHaveText(/^\d+人$/);
  const recipients = parseInt((await cost.getByTestId('recipients').textContent())!, 10);
  expect(recipients).toBeGreaterThan(0);
  await expect(cost.getByTestId('consumes')).toHaveText(`${recipients}通`);
  await expect(cost.getByTestId('left-after')).toHaveText(/^\d+通$/);

  await page.getByTestId('send').click();
  await expect(page.getByRole('alertdialog')).toContainText(`${recipients}人に配信します`);
  await page.getByTestId('confirm-send').click();
  await expect(page).toHaveURL(SEND_PAGE);
  // The bar moves without reloading, to 100%.
  await expect(page.getByTestId('progress')).toHaveAttribute('aria-valuenow', '100', { timeout: 30_000 });
  await expect(page.getByTestId('status')).toHaveText('完了');
  await expect(page.getByTestId('progress-text')).toContainText(`${recipients} / ${recipients}人に配信済み`);

  // One recipient's phone shows both bubbles.
  const ledger = await (await request.get(`${SANDBOX}/_sandbox/ledger?channel=${channel}`, { headers: SANDBOX_HEADERS })).json();
  const mine = ledger.filter((d: any) => d.via === 'multicast' && d.messages.some((m: any) => m.text === 'ご予約はメニューの「予約」からどうぞ。'));
  expect(mine.length).toBe(recipients);
  await open(page, '/sandbox');
  await page.getByLabel('操作する人').selectOption(mine[0].to);
  const chat = page.getByTestId('phone-chat');
  await expect(chat.getByText('【さくらファミリークリニック】特定健診のご案内です。')).toBeVisible();
  await expect(chat.getByText('ご予約はメニューの「予約」からどうぞ。')).toBeVisible();

  // The history lists it with its figures.
  await open(page, '/broadcasts');
  const row = page.getByTestId('broadcasts-table').getByRole('row', { name: /健診のご案内 12月/ });
  await expect(row).toContainText('完了');
  await expect(row).toContainText(`${recipients} / ${recipients}`);
});

test('a Free-plan clinic over its quota sees the refusal with the shortfall, and what it typed stays', async ({ page }) => {
  await login(page, DEMO.owner);
  // The sandbox channel becomes a Free plan with 190 of its 200 used.
  await open(page, '/sandbox');
  await page.getByLabel('LINEのプラン').selectOption('free');
  await page.getByLabel('今月の使用済み通数').fill('190');
  await page.getByRole('button', { name: '切り替える' }).click();
  await expect(page.getByTestId('sandbox-plan')).toContainText('保存しました');
  try {
    await open(page, '/broadcasts/new');
    await page.getByLabel('件名（スタッフ用）').fill('年末年始の休診のお知らせ');
    // A template loads after asking, replacing what was typed.
    await page.locator('#bubble-0-text').fill('下書き');
    await page.getByTestId('templates').locator('select').selectOption({ label: '特定健診の案内' });
    await page.getByRole('button', { name: '読み込む' }).click();
    await expect(page.getByRole('alertdialog')).toContainText('置き換えます');
    await page.getByRole('alertdialog').getByRole('button', { name: '読み込む' }).click();
    await expect(page.locator('#bubble-1-text')).toHaveValue('ご予約はメニューの「予約」からどうぞ。');
    await page.locator('#bubble-0-text').fill('12月29日〜1月3日は休診です。');
    await page.getByRole('radio', { name: /診療上のご連絡/ }).check();
    const cost = page.getByTestId('cost');
    await expect(cost).toContainText('コミュニケーションプラン');
    await expect(cost.getByTestId('shortfall')).toContainText(/あと\d+通不足しています/);
    await expect(page.getByTestId('send')).toBeDisabled();
    // A reload keeps the draft.
    await page.reload();
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(page.getByText('前回の下書きを復元しました')).toBeVisible();
    await expect(page.locator('#bubble-0-text')).toHaveValue('12月29日〜1月3日は休診です。');
    await page.getByRole('button', { name: '下書きを破棄' }).click();
    // The quota page warns at 95%.
    await open(page, '/quota');
    await expect(page.getByTestId('quota-warning')).toContainText('まもなく上限');
  } finally {
    await open(page, '/sandbox');
    await page.getByLabel('LINEのプラン').selectOption('light');
    await page.getByLabel('今月の使用済み通数').fill('0');
    await page.getByRole('button', { name: '切り替える' }).click();
    await expect(page.getByTestId('sandbox-plan')).toContainText('保存しました');
  }
});

test('staff link their own LINE with a code from the composer and get the test send there', async ({ page }) => {
  await login(page, DEMO.owner);
  const user = await newPhoneFriend(page, 'テスト 院長');
  await open(page, '/broadcasts/new');
  await page.getByLabel('件名（スタッフ用）').fill('テスト');
  await page.locator('#bubble-0-text').fill('{表示名}さん、テスト送信です');
  // A LINE emoji from the palette lands at the cursor and shows in the preview.
  await page.getByTestId('emoji-toggle').first().click();
  await page.getByRole('button', { name: 'LINE絵文字001', exact: true }).click();
  await expect(page.locator('#bubble-0-text')).toHaveValue('{表示名}さん、テスト送信です{絵文字:001}');
  await expect(page.getByTestId('preview').locator('img.line-emoji[alt="LINE絵文字001"]')).toBeAttached();
  const card = page.getByTestId('test-send');
  await card.getByRole('button', { name: '自分のLINEを連携する' }).click();
  const code = (await card.getByTestId('link-code').textContent())!.trim();
  expect(code).toMatch(/^\d{8}$/);

  // From "their own LINE" (the sandbox phone), the code goes to the clinic.
  await open(page, '/sandbox');
  await page.getByLabel('操作する人').selectOption(user);
  await page.getByPlaceholder('メッセージを入力').fill(code);
  await page.getByRole('button', { name: '送信', exact: true }).click();

  // Back in the composer the draft is still there, and the link is made.
  await expect(async () => {
    await open(page, '/broadcasts/new');
    await expect(page.getByTestId('test-send').getByRole('button', { name: '自分のLINEにテスト送信' })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.locator('#bubble-0-text')).toHaveValue('{表示名}さん、テスト送信です{絵文字:001}');

  // A picture: a GIF is refused in words, a PNG is uploaded, previewed and sent.
  await page.getByTestId('add-bubble').click();
  await page.locator('#bubble-1-kind').selectOption('image');
  const upload = page.locator('#bubble-1-url-upload');
  await upload.setInputFiles({ name: 'poster.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a\x01\x00\x01\x00', 'binary') });
  await expect(page.getByTestId('bubble-editor').nth(1).getByRole('alert')).toContainText('JPEGかPNGの画像だけ送れます');
  await upload.setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: Buffer.from(TINY_PNG, 'base64') });
  await expect(page.getByTestId('bubble-editor').nth(1)).toContainText('アップロードしました（1×1');
  await expect(page.locator('#bubble-1-url')).toHaveValue(/^\/media\/[A-Za-z0-9_-]{43}$/);
  const previewImage = page.getByTestId('preview').locator('img.bubble-image');
  await expect(previewImage).toHaveAttribute('src', /\/media\/[A-Za-z0-9_-]{43}\/preview$/);
  expect(await previewImage.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBe(1);

  await page.getByTestId('test-send').getByRole('button', { name: '自分のLINEにテスト送信' }).click();
  await expect(page.getByTestId('test-send')).toContainText('自分のLINEに送りました');
  await page.getByRole('button', { name: '下書きを破棄' }).click();

  await open(page, '/sandbox');
  await page.getByLabel('操作する人').selectOption(user);
  await expect(page.getByTestId('phone-chat').getByText('テスト 院長さん、テスト送信です')).toBeVisible();
  await expect(page.getByTestId('phone-chat').locator('img.line-emoji[alt="LINE絵文字001"]').last()).toBeAttached();
  // The phone fetches the picture from the product, as LINE's app would.
  const sent = page.getByTestId('phone-chat').locator('img.bubble-image').last();
  await expect(sent).toHaveAttribute('src', /^http:\/\/127\.0\.0\.1:3100\/media\/[A-Za-z0-9_-]{43}\/preview$/);
  expect(await sent.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBe(1);
});
