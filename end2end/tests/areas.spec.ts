import { test, expect, DEMO, login, open } from './helpers';
import type { Page } from '@playwright/test';

/** Each area's page is its own WebAssembly chunk (app/src/routes.rs), fetched
 * the first time the area is opened. Every area is opened twice: by the
 * navigation inside the app (the chunk arrives, the page renders in the
 * browser) and by loading its address (the server renders it, the chunk
 * arrives with the page, and the page hydrates). The fixture in helpers.ts
 * fails the journey on any panic or any refusal by the page's policy. */

type Area = { path: string; heading: string; via: () => (page: Page) => Promise<void> };

const nav = (label: string) => () => async (page: Page) => {
  await page.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: label, exact: true }).click();
};
const settingsTab = (label: string) => () => async (page: Page) => {
  await page.locator('nav.tabs').getByRole('link', { name: label, exact: true }).click();
};
const link = (name: string) => () => async (page: Page) => {
  await page.getByRole('link', { name, exact: true }).first().click();
};

const AREAS: Area[] = [
  { path: '/friends', heading: '友だち', via: nav('友だち') },
  { path: '/friends/import', heading: '患者情報のCSV取り込み', via: link('CSVを取り込む') },
  { path: '/appointments', heading: '予約', via: nav('予約') },
  { path: '/sequences', heading: 'ステップ配信', via: nav('ステップ配信') },
  { path: '/sequences/new', heading: 'ステップ配信を作る', via: link('ステップ配信を作る') },
  { path: '/richmenus', heading: 'リッチメニュー', via: nav('リッチメニュー') },
  { path: '/richmenus/new', heading: '新しいメニュー', via: link('新しいメニュー') },
  { path: '/staff-channels', heading: '職員連絡', via: nav('職員連絡') },
  { path: '/staff-channels/new', heading: '新しいチャンネル', via: link('新しいチャンネル') },
  { path: '/tags', heading: 'タグ', via: nav('タグ') },
  { path: '/segments', heading: 'セグメント', via: nav('セグメント') },
  { path: '/segments/new', heading: '新しいセグメント', via: link('新しいセグメント') },
  { path: '/automations', heading: '自動アクション', via: nav('自動アクション') },
  { path: '/broadcasts', heading: '配信', via: nav('配信') },
  { path: '/broadcasts/new', heading: '新しい配信', via: link('新しい配信') },
  { path: '/quota', heading: '配信通数', via: nav('配信通数') },
  { path: '/sandbox', heading: 'サンドボックス電話', via: nav('サンドボックス電話') },
  { path: '/settings', heading: 'パスワードの変更', via: nav('設定') },
  { path: '/settings/staff', heading: 'スタッフ管理', via: settingsTab('スタッフ') },
  { path: '/settings/audit', heading: '監査ログ', via: settingsTab('監査ログ') },
  { path: '/settings/line', heading: 'LINE連携', via: settingsTab('LINE連携') },
  { path: '/settings/delivery', heading: '配信設定', via: settingsTab('配信設定') },
  { path: '/settings/security', heading: 'セキュリティ方針', via: settingsTab('セキュリティ') },
];

/** The WebAssembly files the page fetched besides the first download. */
function watchChunks(page: Page): string[] {
  const chunks: string[] = [];
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/pkg/') && path.endsWith('.wasm') && !path.startsWith('/pkg/yorisoi')) {
      expect([200, 304], path).toContain(r.status());
      chunks.push(path);
    }
  });
  return chunks;
}

test('the first download holds the sign-in and the dashboard, and no area', async ({ page }) => {
  const chunks = watchChunks(page);
  await login(page, DEMO.owner);
  await expect(page.getByRole('heading', { level: 1, name: 'ダッシュボード' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(chunks, 'no area chunk before an area is opened').toEqual([]);
});

test('each area arrives in its own chunk when first opened inside the app', async ({ page }) => {
  const chunks = watchChunks(page);
  await login(page, DEMO.owner);
  for (const area of AREAS) {
    const before = chunks.length;
    await area.via()(page);
    await expect(page).toHaveURL(new RegExp(`${area.path.replace(/\//g, '\\/')}$`));
    await expect(page.getByRole('heading', { name: area.heading, exact: true }).first(), area.path).toBeVisible();
    expect(chunks.length, `${area.path} fetched its chunk`).toBeGreaterThan(before);
  }
  // A second visit reuses what arrived: nothing is fetched again.
  const fetched = chunks.length;
  await nav('友だち')()(page);
  await expect(page.getByRole('heading', { level: 1, name: '友だち' })).toBeVisible();
  await nav('タグ')()(page);
  await expect(page.getByRole('heading', { level: 1, name: 'タグ' })).toBeVisible();
  expect(chunks.length).toBe(fetched);
});

test('each area loaded by its address hydrates with its chunk', async ({ page }) => {
  const chunks = watchChunks(page);
  await login(page, DEMO.owner);
  for (const area of AREAS) {
    const before = chunks.length;
    await open(page, area.path);
    await expect(page.getByRole('heading', { name: area.heading, exact: true }).first(), area.path).toBeVisible();
    expect(chunks.length, `${area.path} came with its chunk`).toBeGreaterThan(before);
    // Hydrated, not only painted: the app's own navigation answers.
    await nav('ダッシュボード')()(page);
    await expect(page.getByRole('heading', { level: 1, name: 'ダッシュボード' })).toBeVisible();
    await expect(page).toHaveURL(/\/$/);
  }
});
