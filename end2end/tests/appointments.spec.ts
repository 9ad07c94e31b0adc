import { test, expect, DEMO, back, login, open } from './helpers';

/** The front desk books a patient from their page, sees the booking on the
 * day's list, moves it, records the visit; a cancellation asks first. The
 * sequences page shows the demo clinic's patient journey. */

function tomorrowAt(hour: number, minute: number): { local: string; day: string } {
  // Japan time, whatever the machine's zone: tomorrow's date in JST.
  const now = new Date(Date.now() + 9 * 3600_000);
  const t = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  return { local: `${date}T${pad(hour)}:${pad(minute)}`, day: date };
}

test('the front desk books, moves and records a visit, and a cancellation asks first', async ({ page }) => {
  await login(page, DEMO.staff);
  await open(page, '/friends');
  await page.getByTestId('friends-table').getByRole('link').nth(3).click();
  const section = page.getByTestId('friend-appointments');
  await expect(section.getByRole('heading', { name: '予約' })).toBeVisible();
  const slot = tomorrowAt(8, 15);
  await section.getByLabel('診療科').selectOption({ label: '内科' });
  await section.getByLabel('日時', { exact: true }).fill(slot.local);
  await section.getByRole('button', { name: '予約を入れる' }).click();
  const booking = section.getByTestId('appointment').filter({ hasText: '8:15' });
  await expect(booking).toContainText('内科');
  await expect(booking).toContainText('予約済み');

  // Moved by a quarter of an hour: changed, and still one booking.
  await booking.getByRole('button', { name: '日時を変更' }).click();
  await section.getByLabel('新しい日時').fill(tomorrowAt(8, 30).local);
  await section.getByRole('button', { name: '変更する' }).click();
  const moved = section.getByTestId('appointment').filter({ hasText: '8:30' });
  await expect(moved).toContainText('変更済み');
  await expect(section.getByTestId('appointment').filter({ hasText: '8:15' })).toHaveCount(0);

  // On the day's list under 内科.
  await open(page, `/appointments?date=${slot.day}`);
  const internal = page.getByTestId('department').filter({ hasText: '内科' });
  const row = internal.getByRole('row').filter({ hasText: '8:30' });
  await expect(row).toContainText('変更済み');
  // The week view shows it under 内科 on its day.
  await page.getByRole('link', { name: '週', exact: true }).click();
  await expect(page.getByTestId('week-department').filter({ hasText: '内科' })).toContainText('8:30');
  await back(page);
  // Not yet begun: recording the visit is refused in words.
  await row.getByRole('button', { name: '来院を記録' }).click();
  await expect(page.getByText('予約の時刻前のため、まだ記録できません。')).toBeVisible();

  // Cancelling asks first; saying no keeps it.
  await back(page);
  await expect(section.getByTestId('appointment').filter({ hasText: '8:30' })).toBeVisible();
  const again = section.getByTestId('appointment').filter({ hasText: '8:30' });
  await again.getByRole('button', { name: 'キャンセル', exact: true }).click();
  await expect(page.getByRole('alertdialog')).toContainText('キャンセルしますか');
  await page.getByRole('alertdialog').getByRole('button', { name: '予約を残す' }).click();
  await expect(again).toContainText('変更済み');
  await again.getByRole('button', { name: 'キャンセル', exact: true }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'キャンセルする' }).click();
  await expect(section.getByTestId('appointment').filter({ hasText: '8:30' })).toContainText('キャンセル');
});

test('a booked slot at capacity is refused with the reason, and the form keeps what was typed', async ({ page }) => {
  await login(page, DEMO.staff);
  await open(page, '/friends');
  const slot = tomorrowAt(7, 0);
  // 小児科 takes two patients per slot.
  for (const n of [4, 5, 6]) {
    await open(page, '/friends');
    await page.getByTestId('friends-table').getByRole('link').nth(n).click();
    const section = page.getByTestId('friend-appointments');
    await section.getByLabel('診療科').selectOption({ label: '小児科' });
    await section.getByLabel('日時', { exact: true }).fill(slot.local);
    await section.getByRole('button', { name: '予約を入れる' }).click();
    if (n < 6) {
      await expect(section.getByTestId('appointment').filter({ hasText: '7:00' })).toBeVisible();
    } else {
      await expect(section.getByText('この時間帯は予約がいっぱいです。')).toBeVisible();
      await expect(section.getByLabel('日時', { exact: true })).toHaveValue(slot.local);
    }
  }
});

test('the sequences page shows the patient journey around the appointment', async ({ page }) => {
  await login(page, DEMO.owner);
  await open(page, '/sequences');
  const reminders = page.getByTestId('sequence').filter({ hasText: '予約リマインド' });
  await expect(reminders).toContainText('予約が入ったとき');
  const steps = reminders.getByTestId('step');
  await expect(steps).toHaveCount(2);
  await expect(steps.nth(0)).toContainText('−3日 18:00');
  await expect(steps.nth(1)).toContainText('−1日 18:00');
  await expect(page.getByTestId('sequence').filter({ hasText: '定期検診のご案内' }).getByTestId('step').nth(0)).toContainText('+90日 10:00');
  // Paused and resumed by the marketer.
  await reminders.getByRole('button', { name: '一時停止' }).click();
  await expect(reminders).toContainText('一時停止中');
  await reminders.getByRole('button', { name: '再開' }).click();
  await expect(reminders).toContainText('配信中');
});
