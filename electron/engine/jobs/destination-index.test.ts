import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../providers/local/local.provider';
import { DestinationIndex } from './destination-index';
import { resolverFor } from '../test-support/resolver';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-dstindex-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DestinationIndex', () => {
  it('lists the shared prefix once: present keys with their size, absent ones as null, others unknown', async () => {
    await mkdir(path.join(dir, 'bkt', 'out', 'data'), { recursive: true });
    await writeFile(path.join(dir, 'bkt', 'out', 'data', 'f03.bin'), Buffer.alloc(33));
    await writeFile(path.join(dir, 'bkt', 'elsewhere.bin'), Buffer.alloc(1));
    const disk = createLocalProvider({ kind: 'local', name: 'disk', root: dir });
    const destinations = Array.from({ length: 20 }, (_, i) => `file://disk/bkt/out/data/f${String(i).padStart(2, '0')}.bin`);
    const index = await DestinationIndex.build(destinations, resolverFor({ disk }), new AbortController().signal);
    expect(index?.size).toBe(1);
    expect(index?.lookup(disk, 'bkt', 'out/data/f03.bin')?.size).toBe(33);
    expect(index?.lookup(disk, 'bkt', 'out/data/f04.bin')).toBeNull();
    // Outside the listed prefix, or another bucket: not known, so the caller asks the destination.
    expect(index?.lookup(disk, 'bkt', 'elsewhere.bin')).toBeUndefined();
    expect(index?.lookup(disk, 'other', 'out/data/f03.bin')).toBeUndefined();
  });

  it('is not built for a handful of files, nor across buckets', async () => {
    const disk = createLocalProvider({ kind: 'local', name: 'disk', root: dir });
    const signal = new AbortController().signal;
    expect(await DestinationIndex.build(['file://disk/bkt/a'], resolverFor({ disk }), signal)).toBeUndefined();
    const mixed = Array.from({ length: 20 }, (_, i) => `file://disk/b${i % 2}/k${i}`);
    expect(await DestinationIndex.build(mixed, resolverFor({ disk }), signal)).toBeUndefined();
  });
});
