import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { SkyferryError } from '../../../../shared/errors';
import type { ObjectMetadata } from '../../../../shared/model';
import type { MultipartSettings, ParallelRead, Provider } from '../../providers/provider';
import { awkwardKeys, mapLimit, md5OfPattern, md5OfStream, patternStream, readAll } from './data';
import { emulatorQuirk, type ConformanceCase, type Emulator } from './quirks';
import { itUnless } from './skip';
import { versionCases } from './versions';

/**
 * The one conformance suite every provider must pass (rclone's fstests is the model). A provider's test file
 * calls `runConformance` with a fixture that starts a real emulator (or a temp folder) and builds the provider.
 * What a case needs is read from the provider itself (its `features` and optional methods), as fstests does; a
 * case the emulator gets wrong is skipped by the quirk table of quirks.ts. Either way the case stays in the report,
 * skipped with its reason (shown by the verbose reporter, and in the JSON report's `meta.skipReason`).
 */
export interface ConformanceFixture {
  provider: Provider;
  /** The emulator the provider talks to, for its quirks; none for a local folder. */
  emulator?: Emulator;
  /** A fresh, empty bucket the suite may fill. */
  bucket: string;
  /** The multipart settings the provider was built with (the suite tests their boundaries ±1 byte). */
  multipart: MultipartSettings;
  /** Multipart / block uploads still open in the bucket (to prove a failed put leaves none). */
  pendingUploads?: () => Promise<number>;
  /** Reads an object's bytes with the provider's own SDK (or node:fs), not through the provider under test. */
  readWithSdk: (key: string) => Promise<Buffer>;
  /**
   * Keeps the object's current bytes as a version with the SDK, where writing over it keeps none by itself (an
   * Azure snapshot on an account without blob versioning): the version cases call it before each overwrite.
   */
  keepVersion?: (key: string) => Promise<void>;
  /**
   * Cases this fixture leaves out, by label, with the reason: those that would only repeat, slowly, what another
   * fixture of the same provider runs (the paths they test do not depend on what differs here).
   */
  skip?: Readonly<Record<string, string>>;
  teardown: () => Promise<void>;
}

const LARGE_SIZE = Number(process.env.SKYFERRY_CONFORMANCE_LARGE_MIB ?? 300) * 1024 * 1024;

function noVersions(p: Provider): string | undefined {
  return p.features.versions && p.versioning ? undefined : 'the provider keeps no object versions (features.versions is false)';
}

/** What a case needs of the provider: undefined when it has it, else why the case cannot run against it. */
const NEEDS: Record<ConformanceCase, (p: Provider) => string | undefined> = {
  metadataRoundTrip: (p) => (p.features.storesMetadata ? undefined : 'the provider stores no content type, cache control or user metadata (features.storesMetadata is false)'),
  setMetadata: (p) => (p.features.setMetadata ? undefined : 'the provider cannot change metadata in place (features.setMetadata is false)'),
  serverSideCopy: (p) =>
    !p.copy
      ? 'the provider has no server-side copy (no copy())'
      : p.features.storesMetadata
        ? undefined
        : 'the case checks the metadata a copy keeps, which this provider does not store (features.storesMetadata is false); its own tests check copy()',
  conditionalRemove: () => undefined,
  presign: (p) => (p.presign ? undefined : 'the provider makes no time-limited read URLs (no presign())'),
  versions: noVersions,
  versionedWrites: noVersions,
  deleteKeepsVersions: noVersions,
  undelete: noVersions,
};

export function runConformance(name: string, setup: () => Promise<ConformanceFixture>): void {
  describe(`conformance: ${name}`, () => {
    let fx: ConformanceFixture;
    const p = (): Provider => fx.provider;
    const b = (): string => fx.bucket;
    /** A case the provider cannot do, or its emulator gets wrong, keeps its place in the report, skipped with the reason. */
    const itCase = (c: ConformanceCase, label: string, fn: () => Promise<void>, timeout?: number): void =>
      itUnless(label, () => NEEDS[c](p()) ?? emulatorQuirk(fx.emulator, c) ?? fx.skip?.[label], fn, timeout);
    /** Every other case runs unless the fixture leaves it out by its label (ConformanceFixture.skip). */
    const it = (label: string, fn: () => Promise<void>, timeout?: number): void => itUnless(label, () => fx.skip?.[label], fn, timeout);

    beforeAll(async () => {
      fx = await setup();
    });
    afterAll(async () => {
      await fx?.teardown();
    });

    const put = (key: string, body: string | Buffer, options: { contentType?: string; userMetadata?: Record<string, string> } = {}) => {
      const buf = typeof body === 'string' ? Buffer.from(body) : body;
      return p().put(b(), key, Readable.from([buf]), { size: buf.length, ...options });
    };
    const text = async (key: string, range?: { offset?: number; length?: number }) =>
      (await readAll(await p().open(b(), key, range))).toString('utf8');

    it('lists the test bucket among the buckets', async () => {
      const buckets = await p().listBuckets();
      expect(buckets.map((x) => x.name)).toContain(b());
    });

    it('creates and removes an empty bucket; removing a non-empty one is refused', async () => {
      const extra = `${b()}-extra`;
      await p().createBucket(extra);
      expect((await p().listBuckets()).map((x) => x.name)).toContain(extra);
      await p().put(extra, 'keep.txt', Readable.from([Buffer.from('x')]), { size: 1 });
      await expect(p().removeBucket(extra)).rejects.toMatchObject({ code: 'conflict' });
      await p().remove(extra, 'keep.txt');
      await p().removeBucket(extra);
      expect((await p().listBuckets()).map((x) => x.name)).not.toContain(extra);
    });

    it('round-trips every awkward key (unicode NFC/NFD, %, +, #, ?, quotes, <>&, spaces, 1,024 bytes)', async () => {
      const keys = awkwardKeys('keys/');
      await mapLimit(keys, 4, (k, i) => put(k, `body ${i} of ${k}`));
      for (const [i, k] of keys.entries()) {
        const meta = await p().stat(b(), k);
        expect(meta.key).toBe(k);
        expect(meta.size).toBe(Buffer.byteLength(`body ${i} of ${k}`));
        expect(await text(k)).toBe(`body ${i} of ${k}`);
      }
      const listed: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await p().list(b(), { prefix: 'keys/', cursor, pageSize: 5 });
        listed.push(...page.entries.filter((e) => !e.isPrefix).map((e) => e.key));
        cursor = page.cursor;
      } while (cursor);
      expect(listed.sort()).toEqual([...keys].sort());
      // NFC and NFD spellings are two different objects, never merged.
      expect(listed.filter((k) => k.normalize('NFC') === 'keys/unicode-\u00e9t\u00e9-nfc.txt'.normalize('NFC')).length).toBe(1);
      expect(listed).toContain('keys/unicode-e\u0301te\u0301-nfd.txt');
    });

    it('stores and reads a zero-byte object', async () => {
      await put('empty.bin', Buffer.alloc(0));
      const meta = await p().stat(b(), 'empty.bin');
      expect(meta.size).toBe(0);
      expect((await readAll(await p().open(b(), 'empty.bin'))).length).toBe(0);
    });

    it('shows a folder marker once, as a prefix, and lists inside it', async () => {
      await put('folder/', Buffer.alloc(0));
      await put('folder/inside.txt', 'inside');
      const top = await p().list(b(), { prefix: '', delimiter: '/' });
      const folders = top.entries.filter((e) => e.key === 'folder/');
      expect(folders).toHaveLength(1);
      expect(folders[0]?.isPrefix).toBe(true);
      expect(folders[0]?.name).toBe('folder');
      const inside = await p().list(b(), { prefix: 'folder/', delimiter: '/' });
      expect(inside.entries.map((e) => e.key)).toEqual(['folder/inside.txt']);
    });

    it('reports a missing object as not_found', async () => {
      await expect(p().stat(b(), 'no/such/key')).rejects.toMatchObject({ code: 'not_found' });
      await expect(p().open(b(), 'no/such/key').then(readAll)).rejects.toMatchObject({ code: 'not_found' });
      await expect(p().list('skyferry-no-such-bucket-x', { prefix: '' })).rejects.toBeInstanceOf(SkyferryError);
    });

    it('writes sizes at the multipart threshold and part size, each ±1 byte, byte-exact', async () => {
      const { thresholdBytes: t, partSizeBytes: ps } = fx.multipart;
      const sizes = [t - 1, t, t + 1, 2 * ps - 1, 2 * ps, 2 * ps + 1, 3 * ps + 1].filter((s, i, a) => s > 0 && a.indexOf(s) === i);
      for (const [i, size] of sizes.entries()) {
        const key = `sizes/${size}.bin`;
        await p().put(b(), key, patternStream(size, 100 + i), { size });
        expect((await p().stat(b(), key)).size).toBe(size);
        const got = await md5OfStream(await p().open(b(), key));
        expect(got).toEqual({ size, md5: await md5OfPattern(size, 100 + i) });
      }
    });

    itUnless(
      'reads a whole object in parallel ranges: the same bytes in order, within the window it is given',
      () => (p().features.parallelRead === true ? undefined : 'the provider reads no parallel ranges (features.parallelRead is not set)'),
      async () => {
        const size = 3 * 1024 * 1024 + 17;
        const partBytes = 256 * 1024;
        await p().put(b(), 'parallel/read.bin', patternStream(size, 31), { size });
        let requests = 0;
        let most = 0;
        let limit = 2;
        let meta: ObjectMetadata | undefined;
        const parallel: ParallelRead = {
          partBytes,
          limit: () => limit,
          onRequest: () => requests++,
          onRange: (_ms, _bytes, inFlight) => {
            most = Math.max(most, inFlight);
            // The window may change while the read goes on.
            limit = 4;
          },
        };
        const got = await md5OfStream(await p().open(b(), 'parallel/read.bin', { parallel, onMetadata: (m) => (meta = m) }));
        expect(got).toEqual({ size, md5: await md5OfPattern(size, 31) });
        expect(meta?.size).toBe(size);
        // Every part after the first, or every part where the first answer is not a read of the bytes.
        expect(requests).toBeGreaterThanOrEqual(Math.ceil(size / partBytes) - 1);
        expect(most).toBeLessThanOrEqual(4);
      },
    );

    it(
      `streams a ${LARGE_SIZE / 1024 / 1024} MiB object up and down with bounded memory`,
      async () => {
        const key = 'large/big.bin';
        const before = process.memoryUsage().rss;
        let peak = before;
        const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
        try {
          await p().put(b(), key, patternStream(LARGE_SIZE, 7), { size: LARGE_SIZE });
          const got = await md5OfStream(await p().open(b(), key));
          expect(got.size).toBe(LARGE_SIZE);
          expect(got.md5).toBe(await md5OfPattern(LARGE_SIZE, 7));
        } finally {
          clearInterval(sample);
        }
        // Streamed both ways: the process grows by its parts in flight, SDK buffers and garbage not yet collected,
        // never by the object. RSS moves by tens of MiB with the collector's timing, so the bound is the object's
        // size less a fifth: holding the object would cross it whatever the timing.
        expect(peak - before).toBeLessThan(LARGE_SIZE * 0.8);
        await p().remove(b(), key);
      },
      300_000,
    );

    it('reads byte ranges: middle, from an offset to the end, the last byte', async () => {
      await put('range.txt', '0123456789abcdef');
      expect(await text('range.txt', { offset: 3, length: 4 })).toBe('3456');
      expect(await text('range.txt', { offset: 10 })).toBe('abcdef');
      expect(await text('range.txt', { offset: 15, length: 1 })).toBe('f');
      expect(await text('range.txt', { offset: 0, length: 1 })).toBe('0');
    });

    itCase('metadataRoundTrip', 'round-trips metadata: content type, cache control, user metadata', async () => {
      await p().put(b(), 'meta.json', Readable.from([Buffer.from('{}')]), {
        size: 2,
        contentType: 'application/json',
        cacheControl: 'max-age=60',
        userMetadata: { owner: 'ada', project: 'skyferry' },
      });
      const meta = await p().stat(b(), 'meta.json');
      expect(meta.contentType).toBe('application/json');
      expect(meta.cacheControl).toBe('max-age=60');
      expect(meta.userMetadata).toEqual({ owner: 'ada', project: 'skyferry' });
      expect(meta.size).toBe(2);
      expect(meta.modified).toBeTruthy();
    });

    itCase('setMetadata', 'changes metadata in place and keeps the bytes', async () => {
      await p().put(b(), 'edit.txt', Readable.from([Buffer.from('keep me')]), { size: 7, contentType: 'text/plain', userMetadata: { a: '1' } });
      const updated = await p().setMetadata(b(), 'edit.txt', { contentType: 'text/markdown', cacheControl: 'no-cache', userMetadata: { b: '2' } });
      expect(updated.contentType).toBe('text/markdown');
      const meta = await p().stat(b(), 'edit.txt');
      expect(meta.contentType).toBe('text/markdown');
      expect(meta.cacheControl).toBe('no-cache');
      expect(meta.userMetadata).toEqual({ b: '2' });
      expect(await text('edit.txt')).toBe('keep me');
    });

    it('pages over 2,500 keys by cursor, flat and by folder, without duplicates', async () => {
      const keys = Array.from({ length: 2500 }, (_, i) => `paging/d${i % 5}/k${String(i).padStart(5, '0')}`);
      await mapLimit(keys, 16, (k) => put(k, 'x'));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await p().list(b(), { prefix: 'paging/', cursor, pageSize: 1000 });
        expect(page.entries.length).toBeLessThanOrEqual(1000);
        seen.push(...page.entries.map((e) => e.key));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 20);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(new Set(seen).size).toBe(2500);
      expect(seen.sort()).toEqual([...keys].sort());
      const folders = await p().list(b(), { prefix: 'paging/', delimiter: '/' });
      expect(folders.entries.map((e) => e.key).sort()).toEqual(['paging/d0/', 'paging/d1/', 'paging/d2/', 'paging/d3/', 'paging/d4/']);
      expect(folders.entries.every((e) => e.isPrefix)).toBe(true);
    });

    it('deletes many keys in batches (and a missing key counts as removed)', async () => {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await p().list(b(), { prefix: 'paging/', cursor, pageSize: 1000 });
        keys.push(...page.entries.map((e) => e.key));
        cursor = page.cursor;
      } while (cursor);
      expect(keys.length).toBe(2500);
      const result = await p().removeMany(b(), [...keys, 'paging/never-existed']);
      expect(result.failed).toEqual([]);
      expect(result.removed).toBe(2501);
      const after = await p().list(b(), { prefix: 'paging/' });
      expect(after.entries).toEqual([]);
    });

    itCase('serverSideCopy', 'copies server-side inside the account, with the same bytes and metadata', async () => {
      await p().put(b(), 'copy/src.txt', Readable.from([Buffer.from('copy me')]), { size: 7, contentType: 'text/plain', userMetadata: { k: 'v' } });
      const copy = p().copy;
      if (!copy) throw new Error('copy() is missing');
      await copy.call(p(), { bucket: b(), key: 'copy/src.txt' }, { bucket: b(), key: 'copy/dst dir/dst #1.txt' });
      const meta = await p().stat(b(), 'copy/dst dir/dst #1.txt');
      expect(meta.size).toBe(7);
      expect(meta.contentType).toBe('text/plain');
      expect(meta.userMetadata).toEqual({ k: 'v' });
      expect(await text('copy/dst dir/dst #1.txt')).toBe('copy me');
    });

    it('a put whose source fails mid-way leaves no object, no open upload, and keeps the previous version', async () => {
      const { thresholdBytes: t, partSizeBytes: ps } = fx.multipart;
      // Small (single-shot) and large (multipart) puts both fail cleanly.
      for (const size of [1024, t + 3 * ps]) {
        const key = `failing/${size}.bin`;
        const failAt = Math.floor(size * 0.6);
        await expect(p().put(b(), key, patternStream(size, 3, 64 * 1024, failAt), { size })).rejects.toBeInstanceOf(Error);
        await expect(p().stat(b(), key)).rejects.toMatchObject({ code: 'not_found' });
      }
      await put('failing/existing.txt', 'previous version');
      await expect(p().put(b(), 'failing/existing.txt', patternStream(t + ps, 4, 64 * 1024, t), { size: t + ps })).rejects.toBeInstanceOf(Error);
      expect(await text('failing/existing.txt')).toBe('previous version');
      if (fx.pendingUploads) expect(await fx.pendingUploads()).toBe(0);
    });

    it('an aborted put rejects as cancelled and leaves nothing', async () => {
      const { thresholdBytes: t, partSizeBytes: ps } = fx.multipart;
      const size = t + 2 * ps;
      const ac = new AbortController();
      const pending = p().put(b(), 'aborted.bin', patternStream(size, 5), {
        size,
        signal: ac.signal,
        onProgress: (n) => {
          if (n > ps) ac.abort();
        },
      });
      await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
      await expect(p().stat(b(), 'aborted.bin')).rejects.toMatchObject({ code: 'not_found' });
      if (fx.pendingUploads) expect(await fx.pendingUploads()).toBe(0);
    });

    it('removes one object', async () => {
      await put('gone.txt', 'bye');
      await p().remove(b(), 'gone.txt');
      await expect(p().stat(b(), 'gone.txt')).rejects.toMatchObject({ code: 'not_found' });
    });

    itCase('conditionalRemove', 'removes only the version it was given (ifMatch): a newer one stays, refused as a conflict', async () => {
      await put('cond.txt', 'first');
      const first = await p().stat(b(), 'cond.txt');
      await put('cond.txt', 'second, longer');
      await expect(p().remove(b(), 'cond.txt', undefined, { ifMatch: first })).rejects.toMatchObject({ code: 'conflict' });
      expect((await fx.readWithSdk('cond.txt')).toString()).toBe('second, longer');
      await p().remove(b(), 'cond.txt', undefined, { ifMatch: await p().stat(b(), 'cond.txt') });
      await expect(p().stat(b(), 'cond.txt')).rejects.toMatchObject({ code: 'not_found' });
    });

    itCase('presign', 'makes a time-limited read URL that serves the bytes', async () => {
      await put('shared link.txt', 'presigned body');
      const presign = p().presign;
      if (!presign) throw new Error('presign() is missing');
      const url = await presign.call(p(), b(), 'shared link.txt', 600);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('presigned body');
    });

    it('a stored object reads back the same through the SDK directly', async () => {
      await put('sdk/check.txt', 'seen by the sdk');
      expect((await fx.readWithSdk('sdk/check.txt')).toString()).toBe('seen by the sdk');
    });

    // Last: they turn versioning on in the bucket.
    versionCases(() => fx, (label, c, fn) => itCase(c, label, fn));
  });
}
