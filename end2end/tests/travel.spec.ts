import { DEMO, login, newPhoneFriend, open, test, expect } from './helpers';
import type { Page } from '@playwright/test';

/** The patient's journey end to end, on the sandbox's moved clock, and the
 * timeline editor. This file runs last on purpose (the journeys run one at
 * a time in file-name order): moving time forward is for the whole server. */

/** Presses one of the time-travel buttons and waits until the move is
 * done (the card counts the moves) and the chat has been read again after
 * it: looking at the chat any sooner sees it from before the move, and
 * pressing again on that would skip past a step. */
async function travel(page: Page, label: string) {
  const card = page.getByTestId('time-travel');
  const before = Number(await card.getAttribute('data-moves'));
  await card.getByRole('button', { name: label }).click();
  await expect(card).toHaveAttribute('data-moves', String(before + 1), { timeout: 30_000 });
  await expect(page.getByTestId('chat-read')).toHaveAttribute('data-moves', String(before + 1), { timeout: 15_000 });
}

/** Moves to each next step due (any patient's) until the chat shows
 * `text`: never past a step, so nothing is skipped on the way. */
async function travelUntil(page: Page, text: RegExp, presses: number) {
  const chat = page.getByTestId('phone-chat');
  for (let i = 0; i < presses; i++) {
    if ((await chat.getByText(text).count()) > 0) return;
    await travel(page, '次の配信まで進める');
  }
  await expect(chat.getByText(text)).toHaveCount(1);
}

test('a patient books from the sandbox phone, reminders arrive as time moves, and cancelling from a reminder stops them', async ({ page, context }) => {
  await login(page, DEMO.owner);
  await newPhoneFriend(page, '予約 花子');
  const chat = page.getByTestId('phone-chat');
  await page.getByPlaceholder('メッセージを入力').fill('予約');
  await page.getByRole('button', { name: '送信', exact: true }).click();
  const link = chat.getByRole('link', { name: /\/book\// });
  await expect(link).toHaveCount(1, { timeout: 15_000 });

  // The link opens the booking page in its own tab (as LINE opens its
  // browser), on a phone-sized screen.
  const [booking] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await booking.setViewportSize({ width: 390, height: 844 });
  await expect(booking.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(booking.getByRole('heading', { name: 'ご予約', exact: true })).toBeVisible();
  await expect(booking.getByTestId('booking-none')).toBeVisible();
  await booking.getByRole('group', { name: '診療科' }).getByLabel('小児科').check();
  // A day a week or more ahead, so both reminders are still to come.
  await booking.getByRole('group', { name: '日にち' }).getByRole('radio').nth(7).check();
  const free = booking.getByTestId('slots').getByRole('button', { disabled: false }).first();
  await free.click();
  await expect(booking.getByTestId('booking-summary')).toContainText('小児科');
  await booking.getByTestId('booking-submit').click();
  await expect(booking.getByTestId('booking-done')).toContainText('ご予約を受け付けました');
  const when = (await booking.getByTestId('booking-item').locator('.booking-when').textContent())!.trim();
  // The link made its change: it can show, no longer change.
  await expect(booking.getByRole('button', { name: 'キャンセル' })).toHaveCount(0);
  await booking.close();

  // Time moves a day at a time: the 3-day reminder comes first, alone.
  await open(page, '/sandbox');
  await expect(async () => {
    await page.getByLabel('操作する人').selectOption({ label: '予約 花子（友だち）' });
    await expect(page.getByTestId('phone-name')).toHaveText('予約 花子', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await travelUntil(page, /ご予約をいただいています/, 80);
  await expect(chat.getByText(/ご予約をいただいています/)).toContainText(`${when}に小児科`);
  await expect(chat.getByText(/でお待ちしています/)).toHaveCount(0);
  // Two days later, the day-before reminder.
  await travelUntil(page, /でお待ちしています/, 80);
  await expect(chat.getByText(/でお待ちしています/)).toContainText(`明日 ${when}、小児科`);

  // The patient cancels from the reminder's own link.
  const reminderLink = chat.getByRole('link', { name: /\/book\// }).last();
  const [again] = await Promise.all([context.waitForEvent('page'), reminderLink.click()]);
  await again.setViewportSize({ width: 390, height: 844 });
  await expect(again.locator('body[data-hydrated="true"]')).toBeAttached();
  const item = again.getByTestId('booking-item');
  await expect(item).toContainText(when);
  await item.getByRole('button', { name: 'キャンセル', exact: true }).click();
  await expect(again.getByRole('alertdialog')).toContainText('キャンセルしますか');
  await again.getByTestId('confirm-cancel').click();
  await expect(again.getByTestId('booking-done')).toContainText('キャンセルしました');
  await expect(again.getByTestId('booking-none')).toBeVisible();
  await again.close();

  // No further reminder, however far time moves.
  await travel(page, '+3日');
  await expect(chat.getByText(/ご予約をいただいています|でお待ちしています/)).toHaveCount(2);

  // The friend's page and the sequence's enrolment list say so.
  await open(page, '/friends?q=' + encodeURIComponent('予約 花子'));
  await page.getByRole('link', { name: '予約 花子' }).click();
  await expect(page.getByTestId('friend-appointments').getByTestId('appointment').first()).toContainText('キャンセル');
  await expect(page.getByTestId('sequence-preview')).toContainText('予定されているメッセージはありません');
  await open(page, '/sequences');
  const reminders = page.getByTestId('sequence').filter({ has: page.getByRole('heading', { name: '予約リマインド' }) });
  await reminders.getByRole('button', { name: '参加者を見る' }).click();
  const row = reminders.getByTestId('enrolment').filter({ hasText: '予約 花子' });
  await expect(row).toContainText('終了');
  await expect(row).toContainText('キャンセル');
  await expect(row.getByRole('cell').nth(3)).toHaveText('2');
});

test('inside LINE the booking page knows the patient from LIFF, and a made-up token is nobody', async ({ page, context }) => {
  await login(page, DEMO.owner);
  await newPhoneFriend(page, 'リフ 太郎');
  const [liff] = await Promise.all([context.waitForEvent('page'), page.getByTestId('open-liff').click()]);
  await expect(liff).toHaveURL(/\/book\/[^/?#]+$/);
  await expect(liff.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(liff.getByText('リフ 太郎 さん、こちらから予約・変更・キャンセルができます。')).toBeVisible();
  await liff.close();
  // What a browser claims is not LINE's answer.
  await open(page, '/book?clinic=x#id_token=made.up.token');
  await expect(page.getByRole('alert')).toContainText('このリンクは使えません');
});

test('a marketer builds a two-step sequence in the timeline editor by mouse and keyboard', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/sequences');
  await page.getByTestId('new-sequence').click();
  await expect(page.getByRole('heading', { name: 'ステップ配信を作る' })).toBeVisible();
  await page.getByLabel('名前').fill('検査のご案内');
  await page.getByLabel('開始のきっかけ').selectOption({ label: '予約が入ったとき' });

  // The first step, by keyboard: two days earlier and an hour later.
  await page.getByTestId('add-step').click();
  const steps = page.getByTestId('timeline-step');
  await expect(steps).toHaveCount(1);
  await expect(steps.first()).toHaveText('−1日 10:00');
  await steps.first().focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(steps.first()).toHaveText('−3日 11:00');
  await page.getByTestId('step-panel').getByLabel('メッセージ').fill('{次回予約日}の検査の前日は、夜9時以降の食事をお控えください。');

  // The second, by mouse: dragged from before the appointment to after it.
  await page.getByTestId('add-step').click();
  await expect(steps).toHaveCount(2);
  await page.getByTestId('timeline').scrollIntoViewIfNeeded();
  const axis = (await page.getByTestId('timeline').boundingBox())!;
  const handle = (await steps.nth(1).boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  // The axis runs from −8日 to +15日: +3日 sits 11/23 of the way along.
  await page.mouse.move(axis.x + (axis.width * 11) / 23, handle.y + handle.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(steps.nth(1)).toHaveText('+3日 10:00');
  await page.getByTestId('step-panel').getByLabel('メッセージ').fill('検査の結果は、次回の診察でお伝えします。');

  await page.getByTestId('save-sequence').click();
  await expect(page).toHaveURL(/\/sequences$/);
  const card = page.getByTestId('sequence').filter({ has: page.getByRole('heading', { name: '検査のご案内' }) });
  await expect(card.getByTestId('step')).toHaveCount(2);
  await expect(card.getByTestId('step').first()).toContainText('−3日 11:00');
  await expect(card.getByTestId('step').first()).toContainText('夜9時以降');
  await expect(card.getByTestId('step').nth(1)).toContainText('+3日 10:00');

  // Opened again, the steps are where they were left.
  await card.getByRole('link', { name: '編集' }).click();
  await expect(page.getByTestId('timeline-step')).toHaveText(['−3日 11:00', '+3日 10:00']);
});

test('a sequence can be started by a segment chosen in the editor, and the list says which', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/sequences/new');
  await page.getByLabel('名前').fill('生活習慣病の予防案内');
  await page.getByLabel('開始のきっかけ').selectOption({ label: 'セグメントに入ったとき' });
  await page.getByLabel('どのセグメント').selectOption({ label: '生活習慣病リスク' });
  // It stops once the friend books (the tag 初診予約済).
  await page.getByTestId('add-stop').click();
  const stop = page.getByTestId('sequence-stop');
  await expect(stop).toHaveCount(1);
  await stop.getByLabel('停止する条件の種類').selectOption({ label: 'タグが付いたとき' });
  await stop.getByLabel('対象').selectOption({ label: '初診予約済' });
  await page.getByTestId('add-step').click();
  await page.getByTestId('step-panel').getByLabel('メッセージ').fill('健診の結果について、ご相談ください。');
  // The step also starts another sequence and tags the friend.
  const actions = page.getByTestId('step-actions');
  await actions.getByRole('button', { name: '＋ 行うことを追加' }).click();
  await actions.getByRole('button', { name: '＋ 行うことを追加' }).click();
  const rows = actions.getByTestId('step-action');
  await expect(rows).toHaveCount(2);
  await rows.nth(0).getByLabel('行うこと').selectOption({ label: 'ステップ配信を始める' });
  await rows.nth(0).getByLabel('対象').selectOption({ label: '定期検診のご案内' });
  await rows.nth(1).getByLabel('対象').selectOption({ label: '高血圧' });
  await page.getByTestId('save-sequence').click();
  await expect(page).toHaveURL(/\/sequences$/);
  const card = page.getByTestId('sequence').filter({ has: page.getByRole('heading', { name: '生活習慣病の予防案内' }) });
  await expect(card).toContainText('セグメント「生活習慣病リスク」に入ったとき');
  await expect(card).toContainText('タグ「初診予約済」が付いたとき');
  await expect(card.getByTestId('step-does')).toHaveText('行うこと: 「定期検診のご案内」を始める、タグ「高血圧」を付ける');
  // Opened again, the segment is the one chosen.
  await card.getByRole('link', { name: '編集' }).click();
  await expect(page.getByLabel('どのセグメント').locator('option:checked')).toHaveText('生活習慣病リスク');
  await page.getByTestId('timeline-step').first().click();
  const kept = page.getByTestId('step-action');
  await expect(kept).toHaveCount(2);
  await expect(kept.nth(0).getByLabel('行うこと').locator('option:checked')).toHaveText('ステップ配信を始める');
  await expect(kept.nth(0).getByLabel('対象').locator('option:checked')).toHaveText('定期検診のご案内');
  await expect(kept.nth(1).getByLabel('行うこと').locator('option:checked')).toHaveText('タグを付ける');
  await expect(kept.nth(1).getByLabel('対象').locator('option:checked')).toHaveText('高血圧');
});
