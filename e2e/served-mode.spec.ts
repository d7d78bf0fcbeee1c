import http from 'node:http';
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { expect, test } from './fixtures';

/** Status of a raw HTTP request (node:http lets the test send a Host header a browser never would). */
function status(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function upgradeStatus(url: string, origin: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

test.describe('served mode', () => {
  test('the page loads with the token and talks to the engine', async ({ page, app, shot }) => {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') violations.push(m.text());
    });
    const response = await page.goto(app.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await expect(page).toHaveTitle('Skyferry');
    // The built-in `local` account answers through the WebSocket: the pane lists the file-system root.
    await expect(page.getByText('local').first()).toBeVisible();
    await shot('loaded');
    expect(violations.filter((v) => /Content Security Policy|Refused to/.test(v))).toEqual([]);
  });

  test('the token leaves the address bar and no cookie carries it; a reload still works', async ({ page, app }) => {
    await page.goto(app.url);
    await expect(page.getByText('local').first()).toBeVisible();
    await expect.poll(() => page.url()).toBe(`${app.origin}/`);
    // Cookies on 127.0.0.1 reach every port: the only one set is a page key, named for this port, not the token.
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => c.name)).toEqual([`skyferry_page_${new URL(app.origin).port}`]);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.some((c) => c.value.includes(app.token))).toBe(false);

    // A reload: the cookie opens the page, the tab's session gives the socket its token.
    await page.reload();
    expect(page.url()).toBe(`${app.origin}/`);
    await expect(page.getByRole('combobox', { name: 'Left pane account' })).toHaveValue('local');
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('without the token: 401 for the page, an asset, an upload and the WebSocket', async ({ page, app }) => {
    // An asset path the real page uses (hashed by vite).
    await page.goto(app.url);
    const asset = (await page.locator('script[type="module"]').first().getAttribute('src')) ?? '';
    expect(asset).toMatch(/assets\/.+\.js$/);
    const assetUrl = new URL(asset, app.origin).href;

    expect(await status(`${app.origin}/`)).toBe(401);
    expect(await status(assetUrl)).toBe(401);
    expect(await status(`${app.origin}/?token=not-the-token`)).toBe(401);
    expect(await status(`${app.origin}/api/upload?path=a.txt`, { method: 'POST', body: 'x' })).toBe(401);
    expect(await upgradeStatus(`${app.origin.replace('http:', 'ws:')}/ws`, app.origin)).toBe(401);
    // With the token the same asset is served.
    expect(await status(`${assetUrl}?token=${app.token}`)).toBe(200);

    // A browser without the cookie sees the refusal too.
    const stranger = await page.context().browser()!.newPage();
    const res = await stranger.goto(`${app.origin}/`);
    expect(res?.status()).toBe(401);
    await stranger.close();
  });

  test('a foreign Host header or Origin is refused even with the token', async ({ app }) => {
    const port = new URL(app.origin).port;
    expect(await status(app.url, { headers: { host: `attacker.example:${port}` } })).toBe(403);
    expect(await status(app.url, { headers: { host: `localhost:${port}` } })).toBe(200);
    expect(await upgradeStatus(`${app.origin.replace('http:', 'ws:')}/ws?token=${app.token}`, 'http://attacker.example')).toBe(403);
  });

  test('an upload needs the token: the page sends it, its cookie alone is refused', async ({ page, app }) => {
    await page.goto(app.url);
    // What the page keeps for its uploads and its socket: the token, in this tab's sessionStorage.
    expect(await page.evaluate('sessionStorage.getItem("skyferry.token")')).toBe(app.token);
    const staged = await page.evaluate(async (token) => {
      const cookieOnly = await fetch('/api/upload?path=drop%2Fnope.txt', { method: 'POST', body: new Blob(['nope']) });
      const res = await fetch('/api/upload?path=drop%2Fhello%20world.txt', {
        method: 'POST',
        body: new Blob(['hello from the browser']),
        headers: { authorization: `Bearer ${token}` },
      });
      return { cookieOnly: cookieOnly.status, status: res.status, body: (await res.json()) as { stagedUri?: string } };
    }, app.token);
    expect(staged.cookieOnly).toBe(401);
    expect(staged.status).toBe(200);
    expect(staged.body.stagedUri).toMatch(/^file:\/\/\/.+\/staging\/[^/]+\/drop\/hello world\.txt$/);
    expect(await readFile(staged.body.stagedUri!.slice('file://'.length), 'utf8')).toBe('hello from the browser');
  });
});

test.describe('served mode with the emulators', () => {
  test('accounts saved through the engine reach the seeded emulators and show in the page', async ({ page, app, emulators, shot }) => {
    await app.saveAccounts(emulators.accounts);
    const names = (await app.invoke('accounts:list', {})).map((a) => a.settings.name);
    expect(names).toEqual(expect.arrayContaining(['minio', 'gcs', 'azurite']));
    // The host lists what the SDKs seeded, one bucket per emulator.
    expect((await app.invoke('buckets:list', { account: 'minio' })).map((b) => b.name)).toContain(emulators.buckets.s3);
    expect((await app.invoke('buckets:list', { account: 'gcs' })).map((b) => b.name)).toContain(emulators.buckets.gcs);
    expect((await app.invoke('buckets:list', { account: 'azurite' })).map((b) => b.name)).toContain(emulators.buckets.azure);
    // No secret crosses to the page side of the contract.
    const listed = JSON.stringify(await app.invoke('accounts:list', {}));
    expect(listed).not.toContain(emulators.handles.minio.secretAccessKey);
    expect(listed).not.toContain(emulators.handles.azurite.accountKey);

    await page.goto(app.url);
    await expect(page.locator('option', { hasText: 'minio' }).first()).toBeAttached();
    await shot('with-accounts');
  });
});
