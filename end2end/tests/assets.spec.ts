import { test, expect } from './helpers';

test('the WebAssembly and CSS are sent compressed to a browser that accepts it', async ({ request }) => {
  for (const [encoding, expected] of [['br', 'br'], ['gzip', 'gzip'], ['br, gzip', 'br']]) {
    const res = await request.get('/pkg/yorisoi.wasm', { headers: { 'accept-encoding': encoding } });
    expect(res.status()).toBe(200);
    expect(res.headers()['content-encoding'], encoding).toBe(expected);
    expect(res.headers()['content-type']).toContain('application/wasm');
  }
  const css = await request.get('/pkg/yorisoi.css', { headers: { 'accept-encoding': 'br' } });
  expect(css.headers()['content-encoding']).toBe('br');
  // A client that asks for nothing gets the file as it is.
  const plain = await request.get('/pkg/yorisoi.wasm', { headers: { 'accept-encoding': 'identity' } });
  expect(plain.headers()['content-encoding']).toBeUndefined();
});
