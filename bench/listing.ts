/**
 * A million objects in the browser: the served app (dist/host/cli.js) in Debian's Chromium driven by Playwright,
 * against a MinIO bucket of many flat keys and a 100,000-key folder. Measured in the page's own clock: the first
 * page of the listing arriving on the WebSocket, the first rows drawn, the time to reach the last key by
 * pressing End, the JS heap after (CDP Runtime.getHeapUsage, before and after a forced GC), and, while typing in
 * the "Contains…" filter, the longest event (Event Timing) and long task (Long Tasks API).
 *
 * The keys go in as tar batches that MinIO unpacks itself (snowball auto-extract), many batches at once; when the
 * first batches show that a million would take more than about ten minutes here, the bucket stops at 200,000 keys
 * and the report says so with the seeding rate. SKYFERRY_BENCH_LISTING_KEYS sets the count instead.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { chromium, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startMinio, type MinioHandle } from '../tools/emulators/emulators';
import { REPO_ROOT } from '../tools/emulators/versions';
import type { Target } from './report';

const MB = 1e6;
const BATCH = 5000;
/** A million keys only when the measured rate seeds them within this; else FALLBACK_KEYS. */
const SEED_BUDGET_S = 600;
const FALLBACK_KEYS = 200_000;

/** One ustar entry per file (header + data padded to 512 bytes), two zero blocks at the end. */
function tarOf(files: Array<{ name: string; body: Buffer }>): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    h.write(f.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${f.body.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, f.body, Buffer.alloc((512 - (f.body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
/** Flat keys of the big bucket; the folder's keys carry a word, so that "Contains" has something to find. */
const bigKey = (i: number): string => `file-${String(i).padStart(7, '0')}.txt`;
const folderKey = (i: number): string => `folder/item-${String(i).padStart(6, '0')}-${WORDS[i % WORDS.length]}.txt`;

async function seedKeys(s3: S3Client, bucket: string, count: number | ((done: number, secs: number) => number), name: (i: number) => string, log: (l: string) => void): Promise<{ count: number; seconds: number }> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const started = performance.now();
  let target = typeof count === 'number' ? count : FALLBACK_KEYS;
  // With a function, the count is decided once, from the rate of the first four batches.
  let decided = typeof count === 'number';
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (!decided && typeof count === 'function' && done >= 4 * BATCH) {
        target = count(done, (performance.now() - started) / 1000);
        decided = true;
      }
      const b = next;
      if (b * BATCH >= target) return;
      next++;
      const files = [];
      for (let i = b * BATCH; i < Math.min(target, (b + 1) * BATCH); i++) files.push({ name: name(i), body: Buffer.from(`key ${i}\n`) });
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `seed-${b}.tar`, Body: tarOf(files), ContentType: 'application/x-tar', Metadata: { 'snowball-auto-extract': 'true' } }));
      done += files.length;
      if (done % 50_000 < BATCH) log(`listing: ${bucket} ${done.toLocaleString('en-US')} keys in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { count: done, seconds: (performance.now() - started) / 1000 };
}

/** The served host in a child process; resolves with its URL (token included) once it prints it. */
async function startHost(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'host', 'cli.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, SKYFERRY_DATA_DIR: dataDir, SKYFERRY_PORT: '', SKYFERRY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host printed no URL within 60 s:\n${out}`)), 60_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /Skyferry is running at (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-5000)));
    child.on('exit', (code) => reject(new Error(`the host exited (${code}):\n${out}`)));
  });
  return { child, url };
}

/** accounts:save over the host's WebSocket, as the page speaks the contract. */
async function saveAccount(url: string, account: unknown): Promise<void> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token') ?? ''}`, { origin: u.origin });
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  const answer = new Promise<string>((resolve) => ws.on('message', (d: Buffer) => resolve(d.toString())));
  ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'accounts:save', request: { account } }));
  const text = await answer;
  ws.close();
  if (!text.includes('"ok":true')) throw new Error(`accounts:save: ${text.slice(0, 300)}`);
}

/** In the page before the app: message arrival times of the WebSocket, row appearances, long tasks and slow events. */
const PAGE_PROBE = `(() => {
  const w = window;
  w.__bench = { messages: [], firstRowAt: 0, longTasks: [], events: [] };
  const Orig = w.WebSocket;
  w.WebSocket = class extends Orig {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => w.__bench.messages.push([performance.now(), typeof e.data === 'string' ? e.data.length : 0]));
    }
  };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__bench.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__bench.events.push([e.startTime, e.duration, e.name]); }).observe({ type: 'event', durationThreshold: 16, buffered: true });
})();`;

interface Probe {
  messages: Array<[number, number]>;
  longTasks: Array<[number, number]>;
  events: Array<[number, number, string]>;
}

async function heap(page: Page): Promise<{ used: number; afterGc: number }> {
  const cdp = await page.context().newCDPSession(page);
  const before = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.send('HeapProfiler.collectGarbage');
  const after = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return { used: before.usedSize, afterGc: after.usedSize };
}

interface Opened {
  firstPageMs: number;
  firstRowsMs: number;
  endMs: number;
  endKeyPresses: number;
  heap: { used: number; afterGc: number };
}

/** Opens `segments` in the right pane, then presses End until the status line counts every key. */
async function openAndScroll(page: Page, account: string, segments: string[], firstName: string, lastName: string, count: number, log: (l: string) => void): Promise<Opened> {
  const p = page.getByRole('region', { name: 'Right pane' });
  const row = (name: string) => p.getByRole('row').filter({ has: page.getByRole('gridcell', { name, exact: true }) });
  await p.getByRole('combobox', { name: /account/ }).selectOption(account);
  for (const seg of segments.slice(0, -1)) await row(seg).dblclick();
  const last = segments.at(-1) ?? '';
  await row(last).waitFor();
  const clickAt = await page.evaluate(() => performance.now());
  await row(last).dblclick();
  // Runs in the page (a function: the app's CSP forbids evaluating strings); typed by hand, this file has no DOM types.
  const firstRowsAt = await page.waitForFunction(
    (name: string) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
      return Array.from(doc.querySelectorAll('[aria-label="Right pane"] [role=row]')).some((r) => r.textContent?.includes(name)) ? performance.now() : 0;
    },
    firstName,
    { polling: 'raf', timeout: 120_000 },
  );
  const firstRows = (await firstRowsAt.jsonValue()) as number;
  const probe = (await page.evaluate('window.__bench')) as Probe;
  // The first listing page: the first large message after the click (a page of a thousand keys is tens of kB).
  const firstPage = probe.messages.find(([t, len]) => t > clickAt && len > 10_000)?.[0] ?? NaN;
  const status = p.getByTestId('right-status');
  const body = p.locator('.table-body');
  await body.focus();
  const started = performance.now();
  let presses = 0;
  const want = `${count.toLocaleString('en-US')} files`;
  for (;;) {
    const text = (await status.textContent()) ?? '';
    if (text.includes(want) && !text.includes('more as you scroll') && !text.includes('loading')) break;
    await page.keyboard.press('End');
    presses++;
    await page.waitForTimeout(100);
    if (presses % 200 === 0) log(`listing: ${text}`);
    if (performance.now() - started > 900_000) throw new Error(`the listing did not reach its end in 15 minutes (${text})`);
  }
  await page.keyboard.press('End');
  await row(lastName).waitFor({ timeout: 60_000 });
  const endMs = performance.now() - started;
  return { firstPageMs: firstPage - clickAt, firstRowsMs: firstRows - clickAt, endMs, endKeyPresses: presses, heap: await heap(page) };
}

export async function runListing(o: { quick: boolean; log: (l: string) => void }): Promise<{ lines: string[]; goals: Target[] }> {
  const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('scripts/build.mjs failed');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-bench-listing-'));
  let minio: MinioHandle | undefined;
  let host: ChildProcess | undefined;
  const browser = await chromium.launch({
    executablePath: process.env.SKYFERRY_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    minio = await startMinio({ dataDir: path.join(tmp, 'minio') });
    const s3 = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    // SKYFERRY_BENCH_LISTING_KEYS seeds that many flat keys whatever the rate (a million on a busy machine, or fewer
    // for a quick comparison).
    const forced = Number(process.env.SKYFERRY_BENCH_LISTING_KEYS ?? '') || 0;
    const wantBig = forced || (o.quick ? 20_000 : 1_000_000);
    const folderCount = o.quick ? 10_000 : 100_000;
    let rateNote = '';
    const big = await seedKeys(
      s3,
      'million',
      o.quick || forced
        ? wantBig
        : (done, secs) => {
            const rate = done / secs;
            if (rate * SEED_BUDGET_S >= wantBig) return wantBig;
            rateNote = `seeding ran at ${Math.round(rate)} keys/s here (a million would take ${Math.round(wantBig / rate / 60)} min): measured at ${FALLBACK_KEYS.toLocaleString('en-US')} keys`;
            return FALLBACK_KEYS;
          },
      bigKey,
      o.log,
    );
    const folder = await seedKeys(s3, 'folders', folderCount, folderKey, o.log);
    s3.destroy();
    o.log(`listing: seeded ${big.count} keys in ${big.seconds.toFixed(0)} s, ${folder.count} in ${folder.seconds.toFixed(0)} s`);

    const h = await startHost(path.join(tmp, 'app'));
    host = h.child;
    await saveAccount(h.url, { kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    await page.goto(h.url);
    o.log(`listing: opening ${big.count} keys`);
    const a = await openAndScroll(page, 'minio', ['million'], bigKey(0), bigKey(big.count - 1), big.count, o.log);

    const page2 = await context.newPage();
    await page.close();
    await page2.goto(h.url);
    o.log(`listing: opening the ${folder.count}-key folder`);
    const b = await openAndScroll(page2, 'minio', ['folders', 'folder'], folderKey(0).slice('folder/'.length), folderKey(folder.count - 1).slice('folder/'.length), folder.count, o.log);
    // Typing in "Contains…" over the loaded folder, a key every 150 ms as a quick typist does.
    const filter = page2.getByRole('region', { name: 'Right pane' }).getByLabel('Filter loaded names containing');
    await filter.click();
    const typeFrom = (await page2.evaluate(() => performance.now())) as number;
    await filter.pressSequentially('item-0999', { delay: 150 });
    await page2.waitForTimeout(500);
    await filter.fill('');
    await filter.pressSequentially('charlie', { delay: 150 });
    await page2.waitForTimeout(1000);
    const probe = (await page2.evaluate('window.__bench')) as Probe;
    const longTasks = probe.longTasks.filter(([t]) => t >= typeFrom).map(([, d]) => d);
    const events = probe.events.filter(([t]) => t >= typeFrom);
    const maxEvent = events.reduce((m, [, d]) => Math.max(m, d), 0);
    const maxLong = longTasks.reduce((m, d) => Math.max(m, d), 0);
    const slowest = events.sort((x, y) => y[1] - x[1])[0];
    await context.close();

    const mb = (n: number): string => (n / MB).toFixed(0);
    const lines = [
      `A million objects in the browser: the served app in Chromium (${(await browser.version()).split(' ')[0] ?? ''}, Playwright), MinIO on loopback${o.quick ? ' [--quick: small buckets]' : ''}`,
      `  seeding: ${big.count.toLocaleString('en-US')} flat keys in ${big.seconds.toFixed(0)} s (${Math.round(big.count / big.seconds)} keys/s, tar batches of ${BATCH} unpacked by MinIO, 4 at once)${rateNote ? `; ${rateNote}` : ''}`,
      `  ${big.count.toLocaleString('en-US')} keys: first page on the WebSocket ${a.firstPageMs.toFixed(0)} ms after the double click, first rows ${a.firstRowsMs.toFixed(0)} ms (${(a.firstRowsMs - a.firstPageMs).toFixed(0)} ms after the page); End to the last key ${(a.endMs / 1000).toFixed(1)} s (${a.endKeyPresses} presses); JS heap after ${mb(a.heap.used)} MB (${mb(a.heap.afterGc)} MB after a GC)`,
      `  ${folder.count.toLocaleString('en-US')}-key folder: first page ${b.firstPageMs.toFixed(0)} ms, first rows ${b.firstRowsMs.toFixed(0)} ms (${(b.firstRowsMs - b.firstPageMs).toFixed(0)} ms after the page); End to the last key ${(b.endMs / 1000).toFixed(1)} s; JS heap ${mb(b.heap.used)} MB (${mb(b.heap.afterGc)} after GC)`,
      `  typing 16 keys into "Contains…" over ${folder.count.toLocaleString('en-US')} loaded names: longest event ${maxEvent.toFixed(0)} ms${slowest ? ` (${slowest[2]})` : ''}, ${events.length} events over 16 ms; long tasks ${longTasks.length}, longest ${maxLong.toFixed(0)} ms`,
    ];
    const scale = big.count === 1_000_000 ? 'a million keys' : `${big.count.toLocaleString('en-US')} keys`;
    const goals: Target[] = [
      { label: `listing, ${scale}: first rows after the first page (ms)`, value: a.firstRowsMs - a.firstPageMs, target: 500, kind: 'max', unit: ' ms' },
      { label: `listing, ${folder.count.toLocaleString('en-US')}-key folder: first rows after the first page (ms)`, value: b.firstRowsMs - b.firstPageMs, target: 500, kind: 'max', unit: ' ms' },
      { label: `listing, ${scale}: JS heap after End (MB)`, value: a.heap.used / MB, target: 300, kind: 'max', unit: ' MB' },
      { label: `listing: typing in Contains blocks input (longest event or long task, ms)`, value: Math.max(maxEvent, maxLong), target: 100, kind: 'max', unit: ' ms' },
    ];
    return { lines, goals };
  } finally {
    await browser.close().catch(() => undefined);
    if (host && host.exitCode === null) {
      const exited = new Promise((r) => host?.once('exit', r));
      host.kill('SIGTERM');
      await exited;
    }
    await minio?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}
