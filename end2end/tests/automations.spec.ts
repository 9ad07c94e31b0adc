import { DEMO, clinicChannel, login, newPhoneFriend, open, test, expect, SANDBOX, SANDBOX_HEADERS } from './helpers';


test('tapping the vaccine button in the sandbox phone runs the automation: a tag on the friend, a reply in the phone', async ({ page, request }) => {
  await login(page, DEMO.owner);
  const channel = await clinicChannel(page);
  const user = await newPhoneFriend(page, 'ワクチン 花子');

  // The clinic's vaccine notice (as a push), with the button the demo's automation answers.
  const push = await request.post(`${SANDBOX}/_sandbox/channels/${channel}/push`, {
    headers: SANDBOX_HEADERS,
    data: {
      to: user,
      messages: [{ type: 'template', altText: '予防接種のご案内', template: { type: 'buttons', title: 'インフルエンザ予防接種', text: '接種を希望されますか？',
        actions: [{ type: 'postback', label: '希望する', data: 'vaccine=flu' }] } }],
    },
  });
  expect(push.ok()).toBeTruthy();
  await open(page, '/sandbox');
  await expect(async () => {
    await page.getByLabel('操作する人').selectOption(user);
    await expect(page.getByTestId('phone-name')).toHaveText('ワクチン 花子', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  const chat = page.getByTestId('phone-chat');
  await chat.getByRole('button', { name: '希望する' }).click();
  // The free reply arrives in the phone without reloading.
  await expect(chat.getByText('インフルエンザ予防接種のご希望を承りました')).toBeVisible({ timeout: 15_000 });

  // The friend carries the tag, and the automation is on the timeline.
  await open(page, '/friends?q=' + encodeURIComponent('ワクチン 花子'));
  await page.getByRole('link', { name: 'ワクチン 花子' }).click();
  await expect(page.getByTestId('friend-tags')).toContainText('インフルエンザワクチン希望');
  await expect(page.getByTestId('timeline')).toContainText('自動アクション実行');
  await expect(page.getByTestId('timeline')).toContainText('インフルエンザ予防接種のご希望を承りました');

  // The run is listed as done.
  await open(page, '/automations');
  const run = page.getByTestId('automation-runs').getByRole('row', { name: /ワクチン 花子/ });
  await expect(run).toContainText('完了');
});

test('an automation that would trigger itself is refused with the reason, and what was typed stays', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/automations');
  // The demo clinic's two: the vaccine button, and 「予約」 sending the booking page.
  await expect(page.getByTestId('automation').filter({ hasText: '予防接種の希望を受け付ける' })).toBeVisible();
  await expect(page.getByTestId('automation').filter({ hasText: '「予約」で予約ページを送る' })).toBeVisible();
  await page.getByRole('button', { name: '新しい自動アクション' }).click();
  const editor = page.getByTestId('automation-editor');
  await editor.getByLabel('名前').fill('高血圧なら高血圧');
  await editor.getByLabel('きっかけ').selectOption({ label: 'タグが付いたとき' });
  await editor.getByLabel('タグ', { exact: true }).selectOption({ label: '高血圧' });
  await editor.getByTestId('automation-action').first().getByRole('combobox').selectOption({ label: '高血圧' });
  await editor.getByTestId('save-automation').click();
  await expect(editor.getByTestId('automation-problems')).toContainText('互いに呼び合い');
  await expect(editor.getByLabel('名前')).toHaveValue('高血圧なら高血圧');

  // Made harmless (it adds another tag), it saves and is listed.
  await editor.getByTestId('automation-action').first().getByRole('combobox').selectOption({ label: '生活習慣病' });
  await editor.getByTestId('save-automation').click();
  await expect(page.getByTestId('automation').filter({ hasText: '高血圧なら高血圧' })).toContainText('タグ「生活習慣病」を付ける');
});
