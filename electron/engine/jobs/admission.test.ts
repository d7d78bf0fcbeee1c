import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, RetryableError } from '../../../shared/errors';
import { createLocalProvider } from '../providers/local/local.provider';
import type { MultipartSettings, Provider, PutOptions, PutResult } from '../providers/provider';
import { JobManager } from './job-manager';
import { Admission } from './admission';
import { Semaphore } from './semaphore';
import { resolverFor } from '../test-support/resolver';

const KiB = 1024;
// Small sizes so that the test is quick: "large" starts at 64 KiB and buffers (1 + 1) x 16 KiB = 32 KiB.
const multipart: MultipartSettings = { thresholdBytes: 64 * KiB, partSizeBytes: 16 * KiB, concurrency: 1 };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-admission-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Flight {
  small: number;
  large: number;
  maxSmall: number;
  maxLarge: number;
  /** The most small puts seen running while at least one large put was running. */
  maxSmallDuringLarge: number;
}

/**
 * The local provider presented as a cloud destination (so the relay counts its bytes as buffered), whose puts
 * take a while and are counted as they overlap: what the user would see as "files in flight".
 */
function countingCloud(inner: Provider, delayMs: number): { provider: Provider; flight: Flight } {
  const flight: Flight = { small: 0, large: 0, maxSmall: 0, maxLarge: 0, maxSmallDuringLarge: 0 };
  const put = async (bucket: string, key: string, source: Readable, options: PutOptions): Promise<PutResult> => {
    const cls = options.size >= multipart.thresholdBytes ? 'large' : 'small';
    flight[cls]++;
    flight.maxSmall = Math.max(flight.maxSmall, flight.small);
    flight.maxLarge = Math.max(flight.maxLarge, flight.large);
    if (flight.large > 0) flight.maxSmallDuringLarge = Math.max(flight.maxSmallDuringLarge, flight.small);
    try {
      await new Promise((r) => setTimeout(r, cls === 'large' ? delayMs * 4 : delayMs));
      return await inner.put(bucket, key, source, options);
    } finally {
      flight[cls]--;
    }
  };
  return { provider: Object.assign(Object.create(inner) as Provider, { kind: 's3' as const, put }), flight };
}

async function seed(files: Record<string, number>): Promise<Map<string, string>> {
  const expected = new Map<string, string>();
  let n = 1;
  for (const [name, size] of Object.entries(files)) {
    const data = Buffer.alloc(size, n++);
    const p = path.join(dir, 'src', 'bkt', 'data', name);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, data);
    expected.set(name, createHash('md5').update(data).digest('hex'));
  }
  await mkdir(path.join(dir, 'dst', 'out'), { recursive: true });
  return expected;
}

async function copied(names: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of names) out.set(name, createHash('md5').update(await readFile(path.join(dir, 'dst', 'out', 'data', name))).digest('hex'));
  return out;
}

describe('admission of files into flight', () => {
  it('small files flow while large ones upload; each class stays within its slots and byte budget', async () => {
    const files: Record<string, number> = {};
    for (let i = 0; i < 4; i++) files[`big-${i}.bin`] = 100 * KiB;
    for (let i = 0; i < 60; i++) files[`s-${String(i).padStart(2, '0')}.bin`] = KiB;
    const expected = await seed(files);
    const dst = countingCloud(createLocalProvider({ kind: 'local', name: 'dst', root: path.join(dir, 'dst') }), 40);
    const src = createLocalProvider({ kind: 'local', name: 'src', root: path.join(dir, 'src') });
    // Two large files fit in 80 KiB of part buffers (32 KiB each); small files: 6 at once.
    const m = new JobManager({ resolve: resolverFor({ src, dst: dst.provider }), multipart, maxSmallFiles: 6, maxLargeFiles: 8, largeBufferBytes: 80 * KiB });
    const started = Date.now();
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/data/'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('completed');
    expect(d.filesDone).toBe(64);
    expect(await copied(expected.keys())).toEqual(expected);
    expect(dst.flight.maxLarge).toBe(2);
    expect(dst.flight.maxSmall).toBe(6);
    // The large files were listed first, yet the small ones did not wait for them.
    expect(dst.flight.maxSmallDuringLarge).toBe(6);
    // 60 small files at 6 at once (10 rounds of 40 ms) overlap 4 large at 2 at once (2 rounds of 160 ms).
    expect(Date.now() - started).toBeLessThan(5_000);
    await m.close();
  }, 30_000);

  it('a large file whose parts exceed the whole budget still runs, alone', async () => {
    const expected = await seed({ 'a.bin': 70 * KiB, 'b.bin': 80 * KiB, 'c.bin': 90 * KiB });
    const dst = countingCloud(createLocalProvider({ kind: 'local', name: 'dst', root: path.join(dir, 'dst') }), 10);
    const src = createLocalProvider({ kind: 'local', name: 'src', root: path.join(dir, 'src') });
    const m = new JobManager({ resolve: resolverFor({ src, dst: dst.provider }), multipart, largeBufferBytes: 8 * KiB });
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/data/'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    expect(m.get(id).detail().state).toBe('completed');
    expect(await copied(expected.keys())).toEqual(expected);
    expect(dst.flight.maxLarge).toBe(1);
    await m.close();
  }, 30_000);

  it('maxFiles caps both classes together, across jobs', async () => {
    const files: Record<string, number> = {};
    for (let i = 0; i < 3; i++) files[`big-${i}.bin`] = 100 * KiB;
    for (let i = 0; i < 12; i++) files[`s-${i}.bin`] = KiB;
    const expected = await seed(files);
    const dst = countingCloud(createLocalProvider({ kind: 'local', name: 'dst', root: path.join(dir, 'dst') }), 15);
    const src = createLocalProvider({ kind: 'local', name: 'src', root: path.join(dir, 'src') });
    const m = new JobManager({ resolve: resolverFor({ src, dst: dst.provider }), multipart, maxFiles: 3 });
    const names = [...expected.keys()];
    const half = Math.ceil(names.length / 2);
    const a = m.start({ kind: 'copy', sources: names.slice(0, half).map((n) => `file://src/bkt/data/${n}`), destination: 'file://dst/out/data/' });
    const b = m.start({ kind: 'copy', sources: names.slice(half).map((n) => `file://src/bkt/data/${n}`), destination: 'file://dst/out/data/' });
    let maxTotal = 0;
    const timer = setInterval(() => (maxTotal = Math.max(maxTotal, dst.flight.small + dst.flight.large)), 2);
    await m.waitForIdle();
    clearInterval(timer);
    expect(m.get(a.id).detail().state).toBe('completed');
    expect(m.get(b.id).detail().state).toBe('completed');
    expect(await copied(names)).toEqual(expected);
    expect(maxTotal).toBeLessThanOrEqual(3);
    expect(dst.flight.maxSmall).toBeLessThanOrEqual(3);
    await m.close();
  }, 30_000);
});

describe('Semaphore with weights', () => {
  it('serves waiters in order, clamps a request to the capacity, and lets an aborted waiter go', async () => {
    const s = new Semaphore(10);
    const r1 = await s.acquire(undefined, 6);
    const order: string[] = [];
    const big = s.acquire(undefined, 8).then((r) => (order.push('big'), r));
    const ac = new AbortController();
    const gone = s.acquire(ac.signal, 1);
    const small = s.acquire(undefined, 2).then((r) => (order.push('small'), r));
    // 4 units are free, but the 8-unit waiter came first: the 2-unit one does not jump ahead of it.
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    ac.abort();
    await expect(gone).rejects.toBeInstanceOf(CancelledError);
    r1();
    const rBig = await big;
    rBig();
    (await small)();
    expect(order).toEqual(['big', 'small']);
    const huge = await s.acquire(undefined, 1_000);
    expect(s.inUse).toBe(10);
    huge();
    expect(s.inUse).toBe(0);
  });
});

describe('Semaphore resized (an adaptive limit)', () => {
  it('a smaller capacity admits no one until enough units come back; a larger one serves waiters at once', async () => {
    const s = new Semaphore(3);
    const held = await Promise.all([s.acquire(), s.acquire(), s.acquire()]);
    s.resize(1);
    let served = 0;
    const next = s.acquire().then((r) => (served++, r));
    held[0]?.();
    held[1]?.();
    await new Promise((r) => setImmediate(r));
    // Two came back, but one is still out: the capacity of 1 is taken.
    expect(served).toBe(0);
    held[2]?.();
    (await next)();
    expect(served).toBe(1);
    const one = await s.acquire();
    const waiting = [s.acquire(), s.acquire()];
    s.resize(3);
    const more = await Promise.all(waiting);
    expect(s.inUse).toBe(3);
    [one, ...more].forEach((r) => r());
    expect(s.inUse).toBe(0);
  });
});

describe('Admission with parallel ranged reads', () => {
  it('reserves the read ranges of a large file on top of its upload parts, and only where the source reads in ranges', () => {
    const a = new Admission({ multipart, rangedReadParts: 3 });
    expect(a.rangedRead(32 * KiB, { parallelRead: true })).toBeUndefined();
    expect(a.rangedRead(128 * KiB, { parallelRead: false })).toBeUndefined();
    expect(a.rangedRead(128 * KiB, { parallelRead: true })).toEqual({ partBytes: 16 * KiB, maxParts: 3, parts: 8 });
    // Large, but under four parts of a bigger part size: one stream, nothing reserved for ranges.
    expect(new Admission({ multipart: { ...multipart, partSizeBytes: 32 * KiB } }).rangedRead(96 * KiB, { parallelRead: true })).toBeUndefined();
    expect(a.reservation(128 * KiB)).toBe(2 * 16 * KiB);
    expect(a.reservation(128 * KiB, true, true)).toBe(4 * 16 * KiB);
    // A stream written to a local disk holds only the read's ranges.
    expect(a.reservation(128 * KiB, false, true)).toBe(3 * 16 * KiB);
  });
});

describe('Admission of objects whose upload needs larger parts', () => {
  const MiB = 1024 * 1024;
  const TiB = 1024 * 1024 * MiB;

  it('counts the parts a destination grows past its part limit, and holds fewer of them in flight', () => {
    const a = new Admission();
    const { partSizeBytes, concurrency } = a.settings.multipart;
    // 100 GiB to S3 (10,000 parts at most): parts of 10.24 MiB, still 4 in flight within the 80 MiB budget.
    const s3Part = Math.ceil((100 * 1024 * MiB) / 10_000);
    expect(a.uploadPartBytes(100 * 1024 * MiB, 10_000)).toBe(s3Part);
    expect(a.uploadParts(100 * 1024 * MiB, 10_000)).toBe(concurrency);
    expect(a.reservation(100 * 1024 * MiB, true, true, 10_000)).toBe((concurrency + 1) * s3Part + a.settings.rangedReadParts * partSizeBytes);
    // 1 TiB to S3: parts of about 105 MiB, one in flight beside the one being filled (not 4 + 1 of them: 525 MiB).
    const huge = Math.ceil(TiB / 10_000);
    expect(a.uploadParts(TiB, 10_000)).toBe(1);
    expect(a.reservation(TiB, true, false, 10_000)).toBe(2 * huge);
    // The same object to Azure (50,000 blocks) or GCS (no limit) keeps the providers' part size and parallelism.
    expect(a.uploadPartBytes(TiB, 50_000)).toBe(Math.ceil(TiB / 50_000));
    expect(a.uploadPartBytes(200 * 1024 * MiB, 50_000)).toBe(partSizeBytes);
    expect(a.uploadParts(200 * 1024 * MiB, 50_000)).toBe(concurrency);
    expect(a.uploadParts(TiB)).toBe(concurrency);
    expect(a.reservation(TiB, true, true)).toBe(concurrency * partSizeBytes + a.settings.rangedReadParts * partSizeBytes);
  });
});

describe('Semaphore holds that shrink', () => {
  it('gives units back to a waiter at once, and takes some back only when free and nobody waits', async () => {
    const s = new Semaphore(10);
    const a = await s.hold(undefined, 6);
    const b = await s.hold(undefined, 4);
    let served = false;
    const c = s.hold(undefined, 5).then((h) => ((served = true), h));
    a.shrinkTo(2);
    await new Promise((r) => setImmediate(r));
    // 4 came back, the waiter needs 5: it waits, and the hold that shrank cannot take them back ahead of it.
    expect(served).toBe(false);
    expect(a.tryGrowTo(6)).toBe(2);
    a.shrinkTo(1);
    const held = await c;
    expect(served).toBe(true);
    expect(s.inUse).toBe(10);
    // A shrink never grows, and a release gives back only what is still held.
    a.shrinkTo(5);
    expect(a.held()).toBe(1);
    held.release();
    // Nobody waits now: 5 are free, and a grow takes what it asks for and no more than is free.
    expect(a.tryGrowTo(3)).toBe(3);
    expect(b.tryGrowTo(100)).toBe(7);
    expect(s.inUse).toBe(10);
    a.release();
    a.release();
    b.release();
    expect(s.inUse).toBe(0);
  });
});

describe('A large file holds less as its upload drains', () => {
  // Each large file read in ranges reserves 2 ranges + 2 parts of 16 KiB: two fit the 128 KiB budget.
  const settings = { multipart: { ...multipart, concurrency: 2 }, rangedReadParts: 2, largeBufferBytes: 128 * KiB };
  const request = { size: 160 * KiB, buffers: true, rangedRead: true, accounts: ['src', 'dst'] };
  const never = new AbortController().signal;
  /** A wait that should end at once fails the test instead of hanging it. */
  const soon = <T,>(p: Promise<T>): Promise<T> => Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('still waiting')), 2_000))]);

  it('lets a waiting file in once the running ones give back all but their parts not stored, and never exceeds the budget', async () => {
    const a = new Admission(settings);
    const peak = { bytes: 0 };
    const watch = (): void => void (peak.bytes = Math.max(peak.bytes, a.usage().largeBytes));
    const first = await a.admit(request, never);
    const second = await a.admit(request, never);
    watch();
    let admitted = false;
    const third = a.admit(request, never).then((x) => ((admitted = true), x));
    // Read ended with two parts not stored: 32 KiB free, the third file needs 64.
    first.memory?.holdAtMost(2 * 16 * KiB);
    watch();
    await new Promise((r) => setImmediate(r));
    expect(admitted).toBe(false);
    second.memory?.holdAtMost(2 * 16 * KiB);
    const running = await soon(third);
    watch();
    expect(a.usage().largeBytes).toBe(128 * KiB);
    // Never below what a retry needs: one part being filled and one in flight.
    first.memory?.holdAtMost(0);
    expect(a.usage().largeBytes).toBe(128 * KiB);
    expect(peak.bytes).toBeLessThanOrEqual(128 * KiB);
    [first, second, running].forEach((x) => x.release());
    expect(a.usage().largeBytes).toBe(0);
  });

  it('a retry after the read ended runs in what the file holds, without waiting behind files that wait to start', async () => {
    const a = new Admission(settings);
    const first = await a.admit(request, never);
    const second = await a.admit(request, never);
    first.memory?.holdAtMost(0);
    second.memory?.holdAtMost(0);
    const third = await soon(a.admit(request, never));
    let fourthIn = false;
    const fourth = a.admit(request, never).then((x) => ((fourthIn = true), x));
    await new Promise((r) => setImmediate(r));
    expect(fourthIn).toBe(false);
    // The first file's upload failed after its read: its retry answers at once, as one stream with the one part in
    // flight that 32 KiB hold beside the one being filled; the 64 KiB that would read in ranges stay free for the fourth.
    expect(first.memory?.forAttempt(true)).toEqual({ uploadParts: 1 });
    expect(a.usage().largeBytes).toBe(128 * KiB);
    third.release();
    const last = await soon(fourth);
    expect(a.usage().largeBytes).toBe(128 * KiB);
    // Once memory is free and nobody waits, a retry takes its ranges back.
    second.release();
    expect(first.memory?.forAttempt(true)).toEqual({ rangedRead: { partBytes: 16 * KiB, maxParts: 2, parts: 10 }, uploadParts: 2 });
    expect(a.usage().largeBytes).toBe(128 * KiB);
    // A resumed attempt reads one stream: it gives the ranges back.
    expect(first.memory?.forAttempt(false)).toEqual({ uploadParts: 2 });
    expect(a.usage().largeBytes).toBe(64 * KiB + 48 * KiB);
    first.release();
    last.release();
    expect(a.usage().largeBytes).toBe(0);
  });

  it('a small file, or one written to a local disk, has no memory to shrink', async () => {
    const a = new Admission(settings);
    const small = await a.admit({ size: KiB, buffers: true, accounts: ['x'] }, never);
    const toDisk = await a.admit({ ...request, buffers: false }, never);
    expect(small.memory).toBeUndefined();
    expect(toDisk.memory).toBeUndefined();
    small.release();
    toDisk.release();
  });
});

interface Parted {
  /** When each file's first put began, its body ended, and its put returned (performance.now()). */
  started: Map<string, number>;
  done: Map<string, number>;
  /** The parts in flight each attempt was allowed at its start. */
  windows: Map<string, number[]>;
}

/**
 * The local provider presented as a cloud destination whose put sends the body in parts of `partBytes`, each
 * taking `partMs`, as many at once as the relay's window allows, told back through it (PutOptions.parts): the
 * body ends while its last parts are still being sent. A name in `failOnce` fails its first attempt after every
 * part was sent, as a commit that failed would.
 */
function partedCloud(inner: Provider, partBytes: number, partMs: number, failOnce: Set<string>): { provider: Provider; parted: Parted } {
  const parted: Parted = { started: new Map(), done: new Map(), windows: new Map() };
  const put = async (bucket: string, key: string, source: Readable, options: PutOptions): Promise<PutResult> => {
    const name = path.basename(key);
    if (!parted.started.has(name)) parted.started.set(name, performance.now());
    const window = options.parts;
    parted.windows.set(name, [...(parted.windows.get(name) ?? []), window?.limit() ?? 0]);
    const chunks: Buffer[] = [];
    const running = new Set<Promise<void>>();
    const send = async (): Promise<void> => {
      while (running.size >= Math.max(1, window?.limit() ?? 1)) await Promise.race(running);
      const part: Promise<void> = new Promise<void>((r) => setTimeout(r, partMs)).then(() => {
        window?.onPart?.(partMs, running.size);
        running.delete(part);
      });
      running.add(part);
    };
    let unsent = 0;
    for await (const chunk of source) {
      const c = chunk as Buffer;
      chunks.push(c);
      for (unsent += c.length; unsent >= partBytes; unsent -= partBytes) await send();
    }
    if (unsent > 0) await send();
    await Promise.all(running);
    if (failOnce.delete(name)) throw new RetryableError(`${name}: the commit failed`);
    const out = await inner.put(bucket, key, Readable.from([Buffer.concat(chunks)]), options);
    parted.done.set(name, performance.now());
    return out;
  };
  return { provider: Object.assign(Object.create(inner) as Provider, { kind: 's3' as const, put }), parted };
}

describe('large files admitted while the running ones drain', () => {
  // (2 parts in flight + 1 being filled) x 16 KiB = 48 KiB a file: two fit 112 KiB, and a third once both have
  // given back all but their two parts being sent (32 KiB each).
  const parts = { ...multipart, concurrency: 2 };
  const budget = 112 * KiB;

  it('the next file starts while the last parts of the running ones are still being sent', async () => {
    const expected = await seed({ 'a.bin': 160 * KiB, 'b.bin': 160 * KiB, 'c.bin': 160 * KiB });
    const dst = partedCloud(createLocalProvider({ kind: 'local', name: 'dst', root: path.join(dir, 'dst') }), 16 * KiB, 200, new Set());
    const src = createLocalProvider({ kind: 'local', name: 'src', root: path.join(dir, 'src') });
    const m = new JobManager({ resolve: resolverFor({ src, dst: dst.provider }), multipart: parts, largeBufferBytes: budget });
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/data/'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    expect(m.get(id).detail().state).toBe('completed');
    expect(await copied(expected.keys())).toEqual(expected);
    const order = [...dst.parted.started.entries()].sort((x, y) => x[1] - y[1]).map(([name]) => name);
    const [one, two, three] = order.map((name) => dst.parted.started.get(name) ?? 0);
    const firstDone = Math.min(...order.slice(0, 2).map((name) => dst.parted.done.get(name) ?? Infinity));
    // Both first files started at once; the third before either of them had stored its last part.
    expect((two ?? 0) - (one ?? 0)).toBeLessThan(200);
    expect(three).toBeLessThan(firstDone);
    await m.close();
  }, 30_000);

  it('a file whose upload fails after its read retries in what it still holds, while others wait to start: no deadlock', async () => {
    const expected = await seed({ 'a.bin': 160 * KiB, 'b.bin': 160 * KiB, 'c.bin': 160 * KiB, 'd.bin': 160 * KiB });
    const dst = partedCloud(createLocalProvider({ kind: 'local', name: 'dst', root: path.join(dir, 'dst') }), 16 * KiB, 50, new Set(['a.bin', 'b.bin']));
    const src = createLocalProvider({ kind: 'local', name: 'src', root: path.join(dir, 'src') });
    const m = new JobManager({ resolve: resolverFor({ src, dst: dst.provider }), multipart: parts, largeBufferBytes: budget, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/data/'], destination: 'file://dst/out/' });
    await m.waitForIdle();
    const detail = m.get(id).detail();
    expect(detail.state).toBe('completed');
    expect(await copied(expected.keys())).toEqual(expected);
    // Each retry ran with the parts in flight that its file still held (at most the whole window), never more.
    for (const name of ['a.bin', 'b.bin']) {
      const windows = dst.parted.windows.get(name) ?? [];
      expect(windows).toHaveLength(2);
      expect(windows[1]).toBeGreaterThanOrEqual(1);
      expect(windows[1]).toBeLessThanOrEqual(2);
    }
    await m.close();
  }, 30_000);
});

describe('The window of a large file read in ranges, by how many are to go', () => {
  const MiB = 1024 * 1024;

  it('shares the budget among the large files expected, between 2 and the widest window', async () => {
    const a = new Admission();
    const { partSizeBytes: part } = a.settings.multipart;
    // Alone: 4 ranges + 4 parts, the 40 MiB of two files in the 80 MiB budget.
    expect(a.rangedWindow(128 * MiB)).toEqual({ ranges: 4, parts: 4, bytes: 8 * part });
    const job = a.expectLarge(4);
    // Four to go: each reads 2 ranges and sends 2 parts, so all four run at once within the budget.
    expect(a.rangedWindow(128 * MiB)).toEqual({ ranges: 2, parts: 2, bytes: 4 * part });
    const never = new AbortController().signal;
    const request = { size: 128 * MiB, buffers: true, rangedRead: true, accounts: ['s', 'd'] };
    const admitted = await Promise.all([1, 2, 3, 4].map(() => a.admit(request, never)));
    expect(a.usage().largeBytes).toBe(16 * part);
    expect(admitted[0]?.memory?.forAttempt(true)).toEqual({ rangedRead: { partBytes: part, maxParts: 2, parts: 26 }, uploadParts: 2 });
    admitted.forEach((x) => x.release());
    const other = a.expectLarge(20);
    // Many to go: never under 2 and 2.
    expect(a.rangedWindow(128 * MiB)?.ranges).toBe(2);
    other.done();
    job.settled();
    job.settled();
    // Two left: the widest window again.
    expect(a.rangedWindow(128 * MiB)?.ranges).toBe(4);
    job.done();
    job.settled();
    expect(a.rangedWindow(128 * MiB)?.ranges).toBe(4);
    // Parts grown past the part size (1 TiB to S3): no such window.
    expect(a.rangedWindow(1024 * 1024 * MiB, 10_000)).toBeUndefined();
  });
});

describe('A large file whose parts grow past the part size', () => {
  it('is still read in ranges of the part size, its reservation as wide as before', async () => {
    const MiB = 1024 * 1024;
    const a = new Admission();
    const size = 100 * 1024 * MiB;
    const admitted = await a.admit({ size, buffers: true, rangedRead: true, maxUploadParts: 10_000, accounts: ['s', 'd'] }, new AbortController().signal);
    expect(a.usage().largeBytes).toBe(a.reservation(size, true, true, 10_000));
    expect(admitted.memory?.forAttempt(true)).toEqual({ rangedRead: a.rangedRead(size, { parallelRead: true }), uploadParts: a.settings.multipart.concurrency });
    admitted.release();
  });
});
