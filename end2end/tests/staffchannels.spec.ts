import { test, expect, DEMO, login, newPhoneFriend, open } from './helpers';

/** 職員連絡: a staff member links their own LINE from their profile through
 * the sandbox phone; the owner posts a notice that asks for confirmation;
 * it arrives on the staff member's phone with its 確認しました button; the
 * tap shows on the owner's page without a reload. */

test('a linked staff member confirms a notice from their phone and the poster sees it live', async ({ page, browser }) => {
  await login(page, DEMO.staff);
  const phoneUser = await newPhoneFriend(page, '受付 花子のLINE');

  // The code from the profile page, written from "her own LINE".
  await open(page, '/settings');
  const linkCard = page.getByTestId('line-link');
  await linkCard.getByRole('button', { name: '自分のLINEを連携する' }).click();
  const code = (await linkCard.getByTestId('link-code').textContent())!.trim();
  expect(code).toMatch(/^\d{8}$/);
  await open(page, '/sandbox');
  await page.getByLabel('操作する人').selectOption(phoneUser);
  await page.getByPlaceholder('メッセージを入力').fill(code);
  await page.getByRole('button', { name: '送信', exact: true }).click();
  await expect(async () => {
    await open(page, '/settings');
    await expect(page.getByTestId('line-linked')).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  // Her LINE is staff now: marked so in the friend list.
  await expect(async () => {
    await open(page, '/friends?q=' + encodeURIComponent('受付 花子のLINE'));
    const row = page.getByTestId('friends-table').getByRole('row').filter({ hasText: '受付 花子のLINE' });
    await expect(row.getByText('職員', { exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });

  // The owner, in a browser of their own, makes a channel and posts.
  const ownerContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const owner = await ownerContext.newPage();
  await login(owner, DEMO.owner);
  await open(owner, '/staff-channels/new');
  const name = `全職員 ${Date.now() % 100000}`;
  await owner.getByLabel('チャンネル名').fill(name);
  await owner.getByLabel('説明').fill('院内の連絡');
  await owner.getByRole('button', { name: '保存' }).click();
  await expect(owner.getByRole('heading', { name })).toBeVisible();
  await expect(owner.getByTestId('sc-members')).toContainText('鈴木 花子');

  const composer = owner.getByTestId('staff-composer');
  await composer.getByLabel('本文').fill('年末年始の休診日は12月29日から1月3日です。確認をお願いします。');
  await composer.getByLabel('確認を求める（「確認しました」ボタンを付ける）').check();
  await composer.getByRole('button', { name: '送信前の確認' }).click();
  // The cost before sending: one message per linked member.
  await expect(composer.getByTestId('post-cost')).toContainText(/LINEに届く人: \d+人/);
  await composer.getByRole('button', { name: '送信する' }).click();
  await expect(composer).toContainText('送信しました');
  const post = owner.getByTestId('staff-post').first();
  await expect(post).toContainText('年末年始の休診日');
  await expect(post.getByTestId('ack-count')).toContainText('確認済み 0 /');
  await expect(post.getByTestId('ack-waiting')).toContainText('鈴木 花子');

  // Her dashboard asks for it first thing.
  await open(page, '/');
  await expect(page.getByTestId('pending-confirmations')).toContainText(name);
  // On her phone: the notice and its button.
  await expect(async () => {
    await open(page, '/sandbox');
    await page.getByLabel('操作する人').selectOption(phoneUser);
    await expect(page.getByTestId('phone-chat').getByText('年末年始の休診日は12月29日から1月3日です', { exact: false })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await page.getByTestId('phone-chat').getByRole('button', { name: '確認しました' }).last().click();

  // The owner's page counts it without being reloaded.
  await expect(post.getByTestId('ack-count')).toContainText('確認済み 1 /', { timeout: 15_000 });
  await expect(post.getByTestId('ack-names')).toContainText('鈴木 花子');
  await ownerContext.close();
});

test('a post naming a patient is held with the reason, and what was typed stays', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/staff-channels/new');
  const name = `看護部 ${Date.now() % 100000}`;
  await page.getByLabel('チャンネル名').fill(name);
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  const composer = page.getByTestId('staff-composer');
  const text = '生年月日 1985/04/12 の方の件で申し送りがあります';
  await composer.getByLabel('本文').fill(text);
  await composer.getByRole('button', { name: '送信前の確認' }).click();
  await expect(composer.getByTestId('patient-warning')).toContainText('生年月日らしい「1985/04/12」があります');
  await expect(composer.getByRole('button', { name: 'このまま送信' })).toBeVisible();
  await expect(composer.getByLabel('本文')).toHaveValue(text);
  // Changing the words asks for a new check before anything can be sent.
  await composer.getByLabel('本文').fill('明日の申し送りは8時半からです');
  await expect(composer.getByTestId('patient-warning')).toHaveCount(0);
  await composer.getByRole('button', { name: '送信前の確認' }).click();
  await expect(composer.getByTestId('patient-warning')).toHaveCount(0);
  await composer.getByRole('button', { name: '送信する' }).click();
  await expect(page.getByTestId('staff-post').first()).toContainText('明日の申し送りは8時半からです');
});
