import { test, expect } from './helpers';

/** The site files a page names: the release build names each by its content. */
async function siteFiles(request: import('@playwright/test').APIRequestContext) {
  const html = await (await request.get('/login')).text();
  const wasm = html.match(/href="(\/pkg\/yorisoi\.[A-Za-z0-9_-]{22}\.wasm)"/)?.[1];
  const css = html.match(/href="(\/pkg\/yorisoi\.[A-Za-z0-9_-]{22}\.css)"/)?.[1];
  expect(wasm, 'the page names its WebAssembly by content').toBeTruthy();
  expect(css, 'the page names its CSS by content').toBeTruthy();
  return { wasm: wasm!, css: css! };
}

test('the WebAssembly and CSS are sent compressed to a browser that accepts it', async ({ request }) => {
  const { wasm, css } = await siteFiles(request);
  for (const [encoding, expected] of [['br', 'br'], ['gzip', 'gzip'], ['br, gzip', 'br']]) {
    const res = await request.get(wasm, { headers: { 'accept-encoding': encoding } });
    expect(res.status()).toBe(200);
    expect(res.headers()['content-encoding'], encoding).toBe(expected);
    expect(res.headers()['content-type']).toContain('application/wasm');
  }
  const sheet = await request.get(css, { headers: { 'accept-encoding': 'br' } });
  expect(sheet.headers()['content-encoding']).toBe('br');
  // A client that asks for nothing gets the file as it is.
  const plain = await request.get(wasm, { headers: { 'accept-encoding': 'identity' } });
  expect(plain.headers()['content-encoding']).toBeUndefined();
});

test('site files named by their content are kept a year; pages are never kept', async ({ request }) => {
  const { wasm, css } = await siteFiles(request);
  for (const file of [wasm, css]) {
    const res = await request.get(file);
    expect(res.headers()['cache-control'], file).toBe('public, max-age=31536000, immutable');
  }
  // The old plain names are gone, so no browser keeps a stale one.
  expect((await request.get('/pkg/yorisoi.wasm')).status()).toBe(404);
  expect((await request.get('/login')).headers()['cache-control']).toBe('no-store');
});
