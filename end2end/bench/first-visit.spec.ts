import { test, Page } from '@playwright/test';

/** What a first visit downloads (as sent on the wire, compressed), for
 * `/login` and for each area after signing in, each in a fresh browser
 * with an empty cache. SPEC §15: the login page and the dashboard with
 * ≤ 400 KB of compressed WebAssembly. */
const AREAS: [string, string][] = [
  ['dashboard', '/'],
  ['friends', '/friends'],
  ['import', '/friends/import'],
  ['tags', '/tags'],
  ['segments', '/segments'],
  ['automations', '/automations'],
  ['broadcasts', '/broadcasts'],
  ['composer', '/broadcasts/new'],
  ['quota', '/quota'],
  ['phone', '/sandbox'],
  ['settings', '/settings'],
];

type Tally = { total: number; wasm: number; js: number; css: number; html: number; requests: number };

async function measure(page: Page, path: string): Promise<Tally> {
  const t: Tally = { total: 0, wasm: 0, js: 0, css: 0, html: 0, requests: 0 };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const types = new Map<string, string>();
  cdp.on('Network.responseReceived', (e: any) => types.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e: any) => {
    const url = types.get(e.requestId) ?? '';
    const bytes = e.encodedDataLength as number;
    t.total += bytes;
    t.requests += 1;
    if (url.includes('.wasm')) t.wasm += bytes;
    else if (url.endsWith('.js')) t.js += bytes;
    else if (url.endsWith('.css')) t.css += bytes;
    else t.html += bytes;
  });
  await page.goto(path);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return t;
}

const kb = (n: number) => `${(n / 1024).toFixed(0).padStart(5)} KB`;

test('bytes of a first visit, per area', async ({ browser }) => {
  const rows: string[] = [];
  const report = (name: string, t: Tally) =>
    rows.push(
      `  ${name.padEnd(12)} ${kb(t.total)}  (WebAssembly ${kb(t.wasm)}, JS ${kb(t.js)}, CSS ${kb(t.css)}, HTML+data ${kb(t.html)}; ${t.requests} requests)`,
    );
  {
    const ctx = await browser.newContext();
    report('login', await measure(await ctx.newPage(), '/login'));
    await ctx.close();
  }
  // One sign-in; each area then opens in a fresh context with its cookie
  // and an empty cache.
  const signIn = await browser.newContext();
  const page = await signIn.newPage();
  await page.goto('/login');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.getByLabel('メールアドレス').fill('owner@sakura.example');
  await page.getByLabel('パスワード').fill('sakura-owner-2026');
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  const state = await signIn.storageState();
  await signIn.close();
  for (const [name, path] of AREAS) {
    const ctx = await browser.newContext({ storageState: state });
    report(name, await measure(await ctx.newPage(), path));
    await ctx.close();
  }
  console.log(`First visit, bytes on the wire (compressed), empty cache:\n${rows.join('\n')}`);
});
