import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyRequestCounts } from '../../../shared/contract/costs.history';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';
import { countingProvider, partsOf, RequestCounter } from './request-count';
import { resolverFor } from '../test-support/resolver';

const MiB = 2 ** 20;
const sizing = { thresholdBytes: 16 * MiB, partSizeBytes: 8 * MiB, concurrency: 4 };

describe('parts of a put', () => {
  it('none below the threshold; size / part size at and above it', () => {
    expect(partsOf(0, sizing)).toBe(0);
    expect(partsOf(16 * MiB - 1, sizing)).toBe(0);
    expect(partsOf(16 * MiB, sizing)).toBe(2);
    expect(partsOf(16 * MiB + 1, sizing)).toBe(3);
    expect(partsOf(48 * MiB, sizing)).toBe(6);
  });

  it('grows the part size past 10,000 parts: 100 GiB at 8 MiB would be 12,800 parts', () => {
    const size = 100 * 1024 * MiB;
    // part = ceil(100 GiB / 10,000) = 10,737,419 bytes; parts = ceil(107,374,182,400 / 10,737,419) = 10,000
    expect(partsOf(size, sizing)).toBe(10_000);
  });
});

describe('counting provider (a real local provider underneath)', () => {
  let root: string;
  let local: Provider;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'skyferry-counting-'));
    local = createLocalProvider({ kind: 'local', name: 'disk', root });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('counts each call by kind and otherwise behaves as the provider', async () => {
    const counts = emptyRequestCounts();
    const small = { thresholdBytes: 10, partSizeBytes: 4, concurrency: 1 };
    const p = countingProvider(local, counts, small);
    expect(p.kind).toBe('local');
    expect(p.features).toEqual(local.features);
    await p.createBucket('b');
    await p.put('b', 'one.txt', Readable.from([Buffer.from('tiny')]), { size: 4 });
    await p.put('b', 'two.txt', Readable.from([Buffer.from('0123456789ab')]), { size: 12 });
    const page = await p.list('b', {});
    expect(page.entries.map((e) => e.key).sort()).toEqual(['one.txt', 'two.txt']);
    expect((await p.stat('b', 'two.txt')).size).toBe(12);
    const chunks: Buffer[] = [];
    for await (const c of await p.open('b', 'one.txt')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('tiny');
    await p.remove('b', 'one.txt');
    await p.removeMany('b', ['two.txt', 'missing.txt']);
    expect((await local.list('b', {})).entries).toEqual([]);
    // 12 bytes at a 10-byte threshold and 4-byte parts: one multipart upload of 3 parts.
    expect(counts).toEqual({ list: 1, head: 1, get: 1, put: 1, multipart: 1, parts: 3, copy: 0, delete: 3 });
  });

  it('a job counter wraps each provider once per account, so providers compare equal across resolutions', async () => {
    const counter = new RequestCounter(sizing);
    const resolve = counter.resolver(resolverFor({ disk: local }));
    const a = await resolve('file://disk/b/x');
    const b = await resolve('file://disk/b/y');
    expect(a.provider).toBe(b.provider);
    expect(a.provider).not.toBe(local);
    await a.provider.createBucket('b');
    await a.provider.list('b', {});
    await b.provider.list('b', {});
    expect(counter.counts().get('local:disk')).toMatchObject({ list: 2 });
  });
  it('a counter restored from journaled counts counts on from them; unsaved() gives them only when they changed', async () => {
    const saved = { 'local:disk': { ...emptyRequestCounts(), list: 3, get: 7 } };
    const counter = new RequestCounter(sizing, saved);
    expect(counter.unsaved()).toBeUndefined();
    const { provider } = await counter.resolver(resolverFor({ disk: local }))('file://disk/b/x');
    await provider.createBucket('b');
    await provider.list('b', {});
    expect(counter.unsaved()).toEqual({ 'local:disk': { ...emptyRequestCounts(), list: 4, get: 7 } });
    expect(counter.unsaved()).toBeUndefined();
    // The saved record is copied, not counted into.
    expect(saved['local:disk'].list).toBe(3);
  });
});
