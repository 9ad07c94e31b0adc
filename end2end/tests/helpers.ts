import { test as base, expect, Page } from '@playwright/test';

/** Every journey also fails if the page's WebAssembly panicked (a hydration
 * mismatch leaves a page inert while it still looks fine) or if the
 * browser refused anything under the Content-Security-Policy (the journeys
 * are the proof that hydration survives the policy). */
export const test = base.extend<{ noPanics: void }>({
  noPanics: [
    async ({ page }, use) => {
      const panics: string[] = [];
      const refusals: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && m.text().includes('panicked')) panics.push(m.text().slice(0, 200));
        if (m.text().includes('Content Security Policy')) refusals.push(m.text().slice(0, 300));
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`Content Security Policy refused ${e.violatedDirective}: ${e.blockedURI}`);
        });
      });
      await use();
      expect(panics, 'the WebAssembly panicked').toEqual([]);
      expect(refusals, 'the Content-Security-Policy refused something').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** The in-process LINE sandbox of the server under test, and the token its
 * controls need (start-server.sh gives it). */
export const SANDBOX = 'http://127.0.0.1:3110';
export const SANDBOX_HEADERS = { 'x-sandbox-token': 'e2e-sandbox-token' };
import { createHmac } from 'crypto';

/** A sent broadcast's own page (the composer's /broadcasts/new is not one:
 * the address must have moved on from it before the test reads it). */
export const SEND_PAGE = /\/broadcasts\/(?!new$)[A-Za-z0-9_-]+$/;

export const DEMO = {
  owner: { email: 'owner@sakura.example', password: 'sakura-owner-2026', name: '佐藤 健一（院長）', role: 'オーナー' },
  marketer: { email: 'marketer@sakura.example', password: 'sakura-marketer-2026', name: '田中 美咲（事務長）', role: 'マーケター' },
  staff: { email: 'staff@sakura.example', password: 'sakura-staff-2026', name: '鈴木 花子（受付）', role: 'スタッフ' },
  viewer: { email: 'viewer@sakura.example', password: 'sakura-viewer-2026', name: '高橋 誠（顧問）', role: '閲覧者' },
};

/** Opens a page and waits until the WebAssembly has hydrated it. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** Goes back in the history and waits until the page is hydrated: going back
 * across a full page load shows the server's HTML before the WebAssembly
 * has attached its handlers, and a click then does nothing. */
export async function back(page: Page) {
  await page.goBack();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

export async function submitLogin(page: Page, email: string, password: string) {
  await open(page, '/login');
  await page.getByLabel('メールアドレス').fill(email);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

export async function login(page: Page, who: { email: string; password: string; name: string }) {
  await submitLogin(page, who.email, who.password);
  await expect(page.getByTestId('who')).toContainText(who.name);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

export async function logout(page: Page) {
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out: number[] = [];
  for (const c of s.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

/** RFC 6238 code of the step `offset` steps from now, as an authenticator app computes it. */
export function totp(secret: string, offset = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const msg = Buffer.alloc(8);
  msg.writeBigInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[19] & 0xf;
  const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

/** The clinic's sandbox channel: the last part of its webhook URL (an owner's view). */
export async function clinicChannel(page: Page): Promise<string> {
  await open(page, '/settings/line');
  return (await page.getByTestId('webhook-url').textContent())!.split('/').pop()!;
}

/** A new simulated person in the sandbox phone who adds the clinic as a
 * friend; returns their LINE user ID. */
export async function newPhoneFriend(page: Page, name: string): Promise<string> {
  await open(page, '/sandbox');
  await page.getByPlaceholder('表示名（20文字まで）').fill(name);
  await page.getByRole('button', { name: '追加', exact: true }).click();
  await expect(page.getByTestId('phone-name')).toHaveText(name);
  await page.getByRole('button', { name: '友だち追加' }).click();
  await expect(page.getByPlaceholder('メッセージを入力')).toBeVisible();
  return page.getByLabel('操作する人').inputValue();
}
