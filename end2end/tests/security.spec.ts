import { DEMO, login, open, test, expect } from './helpers';

test('pages are served with a Content-Security-Policy and still hydrate under it', async ({ page }) => {
  const res = await page.goto('/login');
  const csp = res!.headers()['content-security-policy'];
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  // The hydration script runs because it carries this response's nonce (the
  // fixture fails the journey on any refusal the browser reports).
  const scripts = await page.locator('script').evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.every((n) => n === nonce)).toBeTruthy();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  // Hydrated pages work: the login form signs in through a server function,
  // and the clinic switcher and a live page respond.
  await login(page, DEMO.owner);
  await open(page, '/broadcasts/new');
  await page.locator('#bc-title').fill('CSPの確認');
  await expect(page.getByTestId('preview')).toBeVisible();
  await open(page, '/settings');
  await expect(page.getByRole('heading', { name: '設定', level: 1 })).toBeVisible();
});
