import { mkdtemp, readdir, readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Engine } from '../engine/dispatch';
import { startServer, type RunningServer } from './server';

const engine: Engine = {
  invoke: async () => ({ ok: true, value: [] }),
  subscribe: () => () => undefined,
  close: async () => undefined,
};

/** A browser upload on a slow link: `size` bytes in `chunk`-byte writes, one every `everyMs`, stopping after `stopAfter` bytes if given. */
function slowUpload(
  server: RunningServer,
  relPath: string,
  options: { size: number; chunk: number; everyMs: number; stopAfter?: number },
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: `/api/upload?path=${encodeURIComponent(relPath)}`,
        headers: { authorization: `Bearer ${server.token}`, 'content-length': String(options.size) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      },
    );
    req.on('error', (e) => resolve({ error: e.message }));
    void (async () => {
      let sent = 0;
      while (sent < options.size && !req.destroyed) {
        if (options.stopAfter !== undefined && sent >= options.stopAfter) return; // the sender stalls, the socket stays open
        const n = Math.min(options.chunk, options.size - sent);
        req.write(Buffer.alloc(n, sent % 251));
        sent += n;
        await sleep(options.everyMs);
      }
      req.end();
    })();
  });
}

describe('served host: long uploads', () => {
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-host-timeouts-'));
    const renderer = path.join(dir, 'renderer');
    await mkdir(renderer, { recursive: true });
    await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Skyferry</title>');
    // Limits lowered from minutes to about a second, so that a 3-second upload stands for a many-GB one.
    server = await startServer({ engine, dataDir: path.join(dir, 'data'), rendererDir: renderer, timeouts: { headersMs: 500, idleMs: 1000 } });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('an upload that takes longer than any of the host limits finishes, as long as its bytes keep coming', async () => {
    const size = 4 * 1024 * 1024;
    const started = Date.now();
    const result = await slowUpload(server, 'slow/big.bin', { size, chunk: 64 * 1024, everyMs: 40 });
    expect(Date.now() - started).toBeGreaterThan(2000);
    expect(result).toMatchObject({ status: 200 });
    const staged = JSON.parse((result as { body: string }).body) as { stagedUri: string; size: number };
    expect(staged.size).toBe(size);
    const onDisk = await readFile(staged.stagedUri.slice('file://'.length));
    expect(onDisk.length).toBe(size);
    expect(onDisk[size - 1]).toBe(Buffer.alloc(1, (size - 64 * 1024) % 251)[0]);
  });

  it('an upload whose sender goes silent is dropped after the idle limit, leaving no partial file', async () => {
    const started = Date.now();
    const result = await slowUpload(server, 'stalled/part.bin', { size: 1024 * 1024, chunk: 64 * 1024, everyMs: 10, stopAfter: 256 * 1024 });
    expect(result).toHaveProperty('error');
    expect(Date.now() - started).toBeLessThan(10_000);
    const staging = path.join(dir, 'data', 'staging');
    await expect.poll(async () => (await readdir(staging, { recursive: true })).filter((f) => String(f).endsWith('part.bin'))).toEqual([]);
  });

  it('headers that never finish are still cut at the headers limit', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const started = Date.now();
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (b: Buffer) => (text += b.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a quiet WebSocket is not closed by the idle limit', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    await new Promise((r) => ws.on('open', r));
    await sleep(1800);
    const answer = new Promise<string>((r) => ws.once('message', (d: Buffer) => r(d.toString())));
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'accounts:list', request: {} }));
    expect(JSON.parse(await answer)).toEqual({ type: 'result', id: 1, result: { ok: true, value: [] } });
    ws.close();
  });
});
