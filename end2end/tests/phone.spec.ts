import { DEMO, clinicChannel, login, newPhoneFriend, open, test, expect, SANDBOX, SANDBOX_HEADERS } from './helpers';


test('the sandbox phone draws buttons, confirm and quick replies like LINE, and taps reach the clinic', async ({ page, request }) => {
  await login(page, DEMO.owner);
  const channel = await clinicChannel(page);
  const user = await newPhoneFriend(page, 'ボタン 太郎');

  // The clinic sends (through the sandbox, as a push would) a buttons
  // template, a confirm and a text with quick replies.
  const push = await request.post(`${SANDBOX}/_sandbox/channels/${channel}/push`, {
    headers: SANDBOX_HEADERS,
    data: {
      to: user,
      messages: [
        { type: 'template', altText: '予防接種のご案内', template: { type: 'buttons', title: 'インフルエンザ予防接種', text: '接種を希望されますか？',
          actions: [{ type: 'postback', label: '希望する', data: 'vaccine=flu' }, { type: 'uri', label: '詳しく見る', uri: 'https://clinic.example/flu' }] } },
        { type: 'template', altText: '確認', template: { type: 'confirm', text: '明日の予約に来院されますか？',
          actions: [{ type: 'message', label: 'はい', text: '来院します' }, { type: 'message', label: 'いいえ', text: '変更したいです' }] } },
        { type: 'text', text: 'ご質問をお選びください', quickReply: { items: [{ type: 'action', action: { type: 'message', label: '駐車場', text: '駐車場はありますか' } }] } },
      ],
    },
  });
  expect(push.ok()).toBeTruthy();
  // An invalid message is refused by the same checks LINE applies.
  const bad = await request.post(`${SANDBOX}/_sandbox/channels/${channel}/push`, {
    headers: SANDBOX_HEADERS,
    data: { to: user, messages: [{ type: 'template', altText: 'x', template: { type: 'buttons', text: 't', actions: [{ type: 'uri', label: 'x', uri: 'javascript:alert(1)' }] } }] },
  });
  expect(bad.status()).toBe(400);

  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(async () => {
    await page.getByLabel('操作する人').selectOption(user);
    await expect(page.getByTestId('phone-name')).toHaveText('ボタン 太郎', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  const chat = page.getByTestId('phone-chat');
  await expect(chat.getByText('インフルエンザ予防接種')).toBeVisible();
  await expect(chat.getByRole('link', { name: '詳しく見る' })).toHaveAttribute('href', 'https://clinic.example/flu');
  await expect(chat.getByText('明日の予約に来院されますか？')).toBeVisible();
  await expect(chat.getByRole('group', { name: 'クイックリプライ' }).getByRole('button', { name: '駐車場' })).toBeVisible();

  // Taps: a quick reply that writes for the patient, then a postback.
  await chat.getByRole('button', { name: '駐車場' }).click();
  await expect(chat.getByText('駐車場はありますか')).toBeVisible();
  // The quick replies go once something newer is in the chat.
  await expect(chat.getByRole('group', { name: 'クイックリプライ' })).toHaveCount(0);
  await chat.getByRole('button', { name: '希望する' }).click();

  await open(page, '/friends?q=' + encodeURIComponent('ボタン 太郎'));
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('link', { name: 'ボタン 太郎' })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await page.getByRole('link', { name: 'ボタン 太郎' }).click();
  // The friend's page is a lazily loaded area: the address changes once its
  // chunk has arrived, and reloading before that would reload the list.
  await expect(page).toHaveURL(/\/friends\/[A-Za-z0-9_-]+$/);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('timeline')).toContainText('駐車場はありますか', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId('timeline')).toContainText('ボタン操作');
});
