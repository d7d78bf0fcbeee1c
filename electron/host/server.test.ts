import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Engine, EventListener } from '../engine/dispatch';
import { startServer, type RunningServer } from './server';
import { safeRelativePath } from './upload';

/** A stand-in engine that answers `accounts:list` and waits on anything else until it is aborted. */
function stubEngine(): Engine & { emit: EventListener; aborted: string[] } {
  const listeners = new Set<EventListener>();
  const aborted: string[] = [];
  return {
    aborted,
    async invoke(channel, _request, signal) {
      if (channel === 'accounts:list') return { ok: true, value: [] };
      return new Promise((resolve) => {
        signal?.addEventListener('abort', () => {
          aborted.push(String(channel));
          resolve({ ok: false, error: { code: 'cancelled', message: 'Cancelled' } });
        });
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event, payload) => {
      for (const l of listeners) l(event, payload);
    },
    close: async () => undefined,
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, pathname: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function wsStatus(url: string, options: WebSocket.ClientOptions): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

describe('served host', () => {
  let dir: string;
  let server: RunningServer;
  const engine = stubEngine();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-host-'));
    const renderer = path.join(dir, 'renderer');
    await mkdir(path.join(renderer, 'assets'), { recursive: true });
    await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Skyferry</title><script type="module" src="./assets/app.js"></script>');
    await writeFile(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    // Left over from a previous run: must be gone once the host starts.
    await mkdir(path.join(dir, 'data', 'staging', 'old'), { recursive: true });
    server = await startServer({ engine, dataDir: path.join(dir, 'data'), rendererDir: renderer, maxUploadBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page with the token, sets a page-key cookie (not the token) and a strict CSP', async () => {
    const res = await request(server.port, `/?token=${server.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Skyferry</title>');
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^skyferry_page_${server.port}=[^;]+; HttpOnly; SameSite=Strict; Path=/$`));
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(res.headers['content-security-policy']).toContain("object-src 'none'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const asset = await request(server.port, '/assets/app.js', { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
  });

  it('never puts the engine token in a cookie: other ports on 127.0.0.1 would receive it', async () => {
    const first = await request(server.port, `/?token=${server.token}`);
    const cookie = (first.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    expect(cookie).not.toContain(server.token);
    // The page key opens the page (a reload) and its assets, nothing of the engine.
    expect((await request(server.port, '/', { headers: { cookie } })).status).toBe(200);
    expect((await request(server.port, '/api/upload?path=a.txt', { method: 'POST', body: 'x', headers: { cookie } })).status).toBe(401);
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await wsStatus(`ws://127.0.0.1:${server.port}/ws`, { origin, headers: { cookie } })).toBe(401);
    // A cookie named as the old one, carrying the token, opens nothing either.
    expect((await request(server.port, '/', { headers: { cookie: `skyferry_token=${server.token}` } })).status).toBe(401);
    // The token itself still opens the engine, as a bearer header (uploads) or in the socket's URL.
    const upload = await request(server.port, '/api/upload?path=bearer.txt', {
      method: 'POST',
      body: 'b',
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(upload.status).toBe(200);
    expect(await wsStatus(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin })).toBe('open');
    // Another server's page key (another port's cookie name) is not ours.
    const value = cookie.split('=')[1] ?? '';
    expect((await request(server.port, '/', { headers: { cookie: `skyferry_page_${server.port + 1}=${value}` } })).status).toBe(401);
  });

  it('answers 401 without the token, or with a wrong one, for pages, assets and uploads', async () => {
    expect((await request(server.port, '/')).status).toBe(401);
    expect((await request(server.port, '/assets/app.js')).status).toBe(401);
    expect((await request(server.port, '/?token=wrong')).status).toBe(401);
    expect((await request(server.port, '/', { headers: { cookie: `skyferry_page_${server.port}=wrong` } })).status).toBe(401);
    expect((await request(server.port, '/api/upload?path=a.txt', { method: 'POST', body: 'x' })).status).toBe(401);
  });

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    const res = await request(server.port, `/?token=${server.token}`, { headers: { host: `evil.example:${server.port}` } });
    expect(res.status).toBe(403);
    const ok = await request(server.port, `/?token=${server.token}`, { headers: { host: `localhost:${server.port}` } });
    expect(ok.status).toBe(200);
  });

  it('never serves a file outside the renderer folder', async () => {
    const res = await request(server.port, `/..%2f..%2fdata%2fstaging?token=${server.token}`);
    expect([200, 404]).toContain(res.status);
    expect(res.body).not.toContain('staging');
  });

  it('emptied the staging folder on start and streams an upload into it', async () => {
    await expect(readFile(path.join(dir, 'data', 'staging', 'old'))).rejects.toThrow();
    const body = Buffer.alloc(70_000, 7);
    const res = await request(server.port, `/api/upload?path=${encodeURIComponent('folder/sub/na me #1.bin')}&token=${server.token}`, {
      method: 'POST',
      body,
      headers: { 'content-length': String(body.length) },
    });
    expect(res.status).toBe(200);
    const staged = JSON.parse(res.body) as { stagedUri: string; batch: string };
    expect(staged.stagedUri).toMatch(/^file:\/\/\/.*\/staging\/[^/]+\/folder\/sub\/na me #1\.bin$/);
    const onDisk = await readFile(staged.stagedUri.slice('file://'.length));
    expect(onDisk.equals(body)).toBe(true);
    // A second file of the same drop goes beside the first.
    const second = await request(server.port, `/api/upload?path=folder%2Fb.txt&batch=${staged.batch}&token=${server.token}`, { method: 'POST', body: 'b' });
    expect(JSON.parse(second.body)).toMatchObject({ batch: staged.batch });
  });

  it('refuses unsafe upload paths and uploads over the size limit', async () => {
    for (const bad of ['../x', 'a/../../x', '/etc/x', 'C:/x', 'a\\..\\x', 'a//b', './a', '']) {
      expect(() => safeRelativePath(bad)).toThrow();
      const res = await request(server.port, `/api/upload?path=${encodeURIComponent(bad)}&token=${server.token}`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(400);
    }
    const big = await request(server.port, `/api/upload?path=big.bin&token=${server.token}`, {
      method: 'POST',
      headers: { 'content-length': String(2 * 1024 * 1024) },
    });
    expect(big.status).toBe(400);
    expect(JSON.parse(big.body)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('upgrades the WebSocket only with the token and the page’s own Origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/ws`;
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await wsStatus(base, { origin })).toBe(401);
    expect(await wsStatus(`${base}?token=${server.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await wsStatus(`${base}?token=${server.token}`, {})).toBe(403);
    expect(await wsStatus(`${base}?token=${server.token}`, { origin })).toBe('open');
  });

  it('carries invoke, cancel and events over the WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    const messages: unknown[] = [];
    ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'accounts:list', request: {} }));
    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'buckets:list', request: { account: 'x' } }));
    ws.send(JSON.stringify({ type: 'cancel', id: 2 }));
    await expect.poll(() => messages.length).toBe(2);
    engine.emit('jobs:changed', { id: 'j1', state: 'running' });
    await expect.poll(() => messages.length).toBe(3);
    expect(messages).toEqual([
      { type: 'result', id: 1, result: { ok: true, value: [] } },
      { type: 'result', id: 2, result: { ok: false, error: { code: 'cancelled', message: 'Cancelled' } } },
      { type: 'event', event: 'jobs:changed', payload: { id: 'j1', state: 'running' } },
    ]);
    expect(engine.aborted).toEqual(['buckets:list']);
    ws.close();
  });
});
