import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessDeniedError, RetryableError, ThrottledError } from '../../../shared/errors';
import type { JobSummary } from '../../../shared/contract/jobs.channels';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';
import { JobManager, type JobEventSink } from './job-manager';
import { resolverFor } from '../test-support/resolver';
import { withFaults, type Faults } from '../test-support/faulty-provider';

const KiB = 1024;
let dir: string;

function bytes(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed || 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** Two local accounts ("src" and "dst", different folders) so that copies go through the relay. */
async function setup(srcFaults: Faults = {}, dstFaults: Faults = {}, files: Record<string, number> = { 'a.bin': 300 * KiB, 'b.bin': 10, 'sub/c.bin': 0, 'sub/d.bin': 64 * KiB }) {
  const srcRoot = path.join(dir, 'src');
  const dstRoot = path.join(dir, 'dst');
  const expected = new Map<string, string>();
  let seed = 1;
  for (const [name, size] of Object.entries(files)) {
    const p = path.join(srcRoot, 'bkt', 'photos', name);
    await mkdir(path.dirname(p), { recursive: true });
    const data = bytes(size, seed++);
    await writeFile(p, data);
    expected.set(`photos/${name}`, md5(data));
  }
  await mkdir(path.join(dstRoot, 'out'), { recursive: true });
  const src = withFaults(createLocalProvider({ kind: 'local', name: 'src', root: srcRoot }), srcFaults);
  const dst = withFaults(createLocalProvider({ kind: 'local', name: 'dst', root: dstRoot }), dstFaults);
  return { src, dst, dstRoot, srcRoot, expected, accounts: { src: src.provider, dst: dst.provider } as Record<string, Provider> };
}

function manager(accounts: Record<string, Provider>, extra: Partial<ConstructorParameters<typeof JobManager>[0]> = {}): { m: JobManager; events: JobSummary[] } {
  const events: JobSummary[] = [];
  const emit: JobEventSink = (event, payload) => {
    if (event === 'jobs:progress') events.push(payload as JobSummary);
  };
  const m = new JobManager({ resolve: resolverFor(accounts), emit, retry: { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 4 }, progressIntervalMs: 50, ...extra });
  return { m, events };
}

async function destinationMd5s(dstRoot: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(path.join(d, e.name), `${rel}${e.name}/`);
      else out.set(`${rel}${e.name}`, md5(await readFile(path.join(d, e.name))));
    }
  };
  await walk(path.join(dstRoot, 'out'), '');
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-jobs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('job manager on local folders', () => {
  it('copies a prefix through the relay, verified by MD5, with honest totals and throttled progress', async () => {
    const { accounts, dstRoot, expected } = await setup();
    const { m, events } = manager(accounts);
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/'], destination: 'file://dst/out/', options: { overwrite: 'always', verify: true, allowCloudPull: false } });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('completed');
    expect(d.filesTotal).toBe(4);
    expect(d.filesDone).toBe(4);
    expect(d.bytesTotal).toBe(300 * KiB + 10 + 64 * KiB);
    expect(d.bytesDone).toBe(d.bytesTotal);
    expect(d.path).toBe('local');
    // A local source stores no hash: the destination is checked against the bytes read ('md5-relay').
    for (const f of d.files) expect(f.checksum, f.source).toBe('md5-relay');
    expect(await destinationMd5s(dstRoot)).toEqual(expected);
    // Counted before transferring: every event after listing carries the full total; bytes never go past it.
    for (const e of events) expect(e.bytesDone).toBeLessThanOrEqual(e.bytesTotal);
    expect(events.some((e) => e.phase === 'transferring' && e.bytesTotal === d.bytesTotal)).toBe(true);
    expect(m.list()[0]?.id).toBe(id);
    await m.close();
  });

  it('tells the engine, chunk by chunk, that the relay is passing bytes (it paces its scavenges by that)', async () => {
    const { accounts, dstRoot, expected } = await setup({}, {}, { 'a.bin': 300 * KiB });
    let told = 0;
    const { m } = manager(accounts, { relaying: () => told++ });
    m.start({ kind: 'copy', sources: ['file://src/bkt/photos/a.bin'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    await m.close();
    expect((await destinationMd5s(dstRoot)).get('a.bin')).toBe(expected.get('photos/a.bin'));
    // A file is read in chunks of at most 64 KiB.
    expect(told).toBeGreaterThanOrEqual(Math.ceil((300 * KiB) / (64 * KiB)));
  });

  it('a read that dies mid-body is retried and its bytes are not counted twice', async () => {
    const { accounts, dstRoot, expected, src } = await setup({ failReads: { times: 2, afterBytes: 100 * KiB, error: () => new RetryableError('connection reset by peer') } }, {}, { 'a.bin': 300 * KiB });
    const { m, events } = manager(accounts);
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/a.bin'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('completed');
    expect(src.counters.failedReads).toBe(2);
    expect(d.files[0]?.attempts).toBe(3);
    expect(d.bytesDone).toBe(300 * KiB);
    expect(Math.max(...events.map((e) => e.bytesDone))).toBeLessThanOrEqual(300 * KiB);
    expect((await destinationMd5s(dstRoot)).get('a.bin')).toBe(expected.get('photos/a.bin'));
    await m.close();
  });

  it('access denied fails fast: one attempt, a clear error, no retry storm', async () => {
    const { accounts, dst } = await setup({}, { putError: () => new AccessDeniedError('The key was rejected by dst: check the secret key in Accounts') }, { 'a.bin': 1000 });
    const { m } = manager(accounts, { retry: { baseDelayMs: 5_000, maxDelayMs: 10_000, maxAttempts: 5 } });
    const t0 = Date.now();
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/a.bin'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(d.state).toBe('failed');
    expect(d.error?.code).toBe('access_denied');
    expect(d.error?.message).toMatch(/check the secret key/);
    expect(d.files[0]?.attempts).toBe(1);
    expect(dst.counters.puts.get('a.bin')).toBe(1);
    await m.close();
  });

  it('throttling honours Retry-After, then succeeds', async () => {
    const { accounts } = await setup({ failReads: { times: 1, afterBytes: 0, error: () => new ThrottledError('SlowDown', { retryAfterMs: 400 }) } }, {}, { 'a.bin': 1000 });
    const { m } = manager(accounts);
    const t0 = Date.now();
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/a.bin'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    expect(m.get(id).summary().state).toBe('completed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    await m.close();
  });

  it('a byte corrupted on the way is a failure after retries, never a success, and leaves no bad copy', async () => {
    const { accounts, dstRoot, dst } = await setup({}, { corruptPutAt: 1234 }, { 'a.bin': 100 * KiB });
    const { m } = manager(accounts);
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/a.bin'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('failed');
    expect(d.files[0]?.state).toBe('failed');
    expect(d.files[0]?.error?.code).toBe('checksum_mismatch');
    expect(dst.counters.puts.get('a.bin')).toBe(4);
    expect(d.bytesDone).toBe(0);
    expect((await destinationMd5s(dstRoot)).size).toBe(0);
    await m.close();
  });

  it('pause stops mid-file, resume finishes every file once, and the copy verifies', async () => {
    const { accounts, dstRoot, expected } = await setup({ readBytesPerSecond: 400 * KiB });
    const { m } = manager(accounts, { maxFiles: 1 });
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/'], destination: 'file://dst/out/' });
    await until(() => m.get(id).summary().bytesDone > 50 * KiB);
    m.pause({ id });
    await m.waitForIdle();
    const paused = m.get(id).summary();
    expect(paused.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 300));
    expect(m.get(id).summary().bytesDone).toBe(paused.bytesDone);
    m.resume({ all: true });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('completed');
    expect(d.bytesDone).toBe(d.bytesTotal);
    expect(await destinationMd5s(dstRoot)).toEqual(expected);
    await m.close();
  });

  it('cancel aborts the file in flight and leaves no partial file', async () => {
    const { accounts, dstRoot } = await setup({ readBytesPerSecond: 200 * KiB }, {}, { 'big.bin': 2048 * KiB });
    const { m } = manager(accounts);
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/big.bin'], destination: 'file://dst/out/' });
    await until(() => m.get(id).summary().bytesDone > 100 * KiB);
    m.cancel({ id });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('cancelled');
    expect(d.files[0]?.state).toBe('cancelled');
    expect(await readdir(path.join(dstRoot, 'out'))).toEqual([]);
    await m.close();
  });

  it('a source that changes during the copy is detected and copied again', async () => {
    const { accounts, dstRoot, srcRoot } = await setup({ readBytesPerSecond: 300 * KiB }, {}, { 'a.bin': 200 * KiB });
    const { m } = manager(accounts);
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/a.bin'], destination: 'file://dst/out/' });
    await until(() => m.get(id).summary().bytesDone > 20 * KiB);
    const changed = bytes(210 * KiB, 99);
    await writeFile(path.join(srcRoot, 'bkt', 'photos', 'a.bin'), changed);
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('completed');
    expect(d.files[0]?.attempts).toBeGreaterThanOrEqual(2);
    expect((await destinationMd5s(dstRoot)).get('a.bin')).toBe(md5(changed));
    await m.close();
  });

  it('overwrite "never" skips what exists; move removes the source only after a verified copy; delete removes', async () => {
    const { accounts, dstRoot, srcRoot } = await setup({}, {}, { 'a.bin': 1000, 'b.bin': 2000 });
    await writeFile(path.join(dstRoot, 'out', 'a.bin'), 'keep me');
    const { m } = manager(accounts);
    const copy = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/a.bin', 'file://src/bkt/photos/b.bin'], destination: 'file://dst/out/', options: { overwrite: 'never' } });
    await m.waitForIdle();
    const c = m.get(copy.id).detail();
    expect(c.files.map((f) => f.state)).toEqual(['skipped', 'done']);
    expect(await readFile(path.join(dstRoot, 'out', 'a.bin'), 'utf8')).toBe('keep me');

    const move = m.start({ kind: 'move', sources: ['file://src/bkt/photos/b.bin'], destination: 'file://dst/out/moved/' });
    await m.waitForIdle();
    expect(m.get(move.id).summary().state).toBe('completed');
    expect((await readdir(path.join(srcRoot, 'bkt', 'photos'))).sort()).toEqual(['a.bin']);
    expect((await readFile(path.join(dstRoot, 'out', 'moved', 'b.bin'))).length).toBe(2000);

    const del = m.start({ kind: 'delete', sources: ['file://dst/out/'] });
    await m.waitForIdle();
    const dd = m.get(del.id).summary();
    expect(dd.state).toBe('completed');
    expect(dd.filesDone).toBe(dd.filesTotal);
    expect((await destinationMd5s(dstRoot)).size).toBe(0);
    m.clearHistory();
    expect(m.list()).toEqual([]);
    await m.close();
  });
});

describe('overwrite rules', () => {
  it('ifDifferent copies only what differs (hashing local files), ifNewer only what is newer', async () => {
    const { accounts, dstRoot, srcRoot } = await setup({}, {}, { 'same.bin': 5000, 'changed.bin': 5000, 'new.bin': 10 });
    await writeFile(path.join(dstRoot, 'out', 'same.bin'), await readFile(path.join(srcRoot, 'bkt', 'photos', 'same.bin')));
    await writeFile(path.join(dstRoot, 'out', 'changed.bin'), bytes(5000, 1234)); // same size, other bytes
    const { m } = manager(accounts);
    const a = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/same.bin', 'file://src/bkt/photos/changed.bin', 'file://src/bkt/photos/new.bin'], destination: 'file://dst/out/', options: { overwrite: 'ifDifferent' } });
    await m.waitForIdle();
    const d = m.get(a.id).detail();
    expect(d.files.map((f) => f.state)).toEqual(['skipped', 'done', 'done']);
    expect(d.files[0]?.notice).toMatch(/same size and md5/);
    expect(md5(await readFile(path.join(dstRoot, 'out', 'changed.bin')))).toBe(md5(await readFile(path.join(srcRoot, 'bkt', 'photos', 'changed.bin'))));
    expect(d.bytesDone).toBe(d.bytesTotal);

    // Everything at the destination is now newer than the sources: ifNewer skips all.
    const b = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/'], destination: 'file://dst/out/again/', options: { overwrite: 'ifNewer' } });
    await m.waitForIdle();
    const e = m.get(b.id).detail();
    expect(e.state).toBe('completed');
    expect(e.files.every((f) => f.state === 'done')).toBe(true); // out/again/photos/ did not exist yet
    const c = m.start({ kind: 'copy', sources: ['file://src/bkt/photos/'], destination: 'file://dst/out/again/', options: { overwrite: 'ifNewer' } });
    await m.waitForIdle();
    expect(m.get(c.id).detail().files.every((f) => f.state === 'skipped')).toBe(true);
    await m.close();
  });
});

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
