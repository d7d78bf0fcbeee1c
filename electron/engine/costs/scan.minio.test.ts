import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMinio, type MinioHandle } from '../../../tools/emulators/emulators';
import { mapLimit } from '../test-support/conformance/data';
import { createProvider } from '../providers/factory';
import type { Provider } from '../providers/provider';
import { SHIPPED_CATALOG } from './catalog';
import { categoryOf } from './file-types';
import { scanPrefix } from './scan';
import { keepingCost } from './what-if';

/**
 * A scan of a real S3 listing (MinIO) of a few thousand keys in mixed storage classes, checked against what the
 * test wrote. MinIO accepts only STANDARD and REDUCED_REDUNDANCY as storage classes, so those are the mix.
 */
const KEYS = 2500;
const exts = ['parquet', 'json', 'log', 'png', 'wav', 'mp4', 'pt', 'zip', 'docx', 'dat'];
const written = Array.from({ length: KEYS }, (_, i) => ({
  key: `runs/r${i % 7}/part-${String(i).padStart(5, '0')}.${exts[i % exts.length]}`,
  size: (i * 131) % 3000,
  storageClass: i % 3 === 0 ? 'REDUCED_REDUNDANCY' : 'STANDARD',
}));

let minio: MinioHandle;
let provider: Provider;

beforeAll(async () => {
  minio = await startMinio();
  provider = createProvider(
    { kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' },
    { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  );
  await provider.createBucket('scan');
  await mapLimit(written, 16, (w) =>
    provider.put('scan', w.key, Readable.from([Buffer.alloc(w.size, 7)]), { size: w.size, storageClass: w.storageClass }),
  );
});

afterAll(async () => {
  await provider?.close?.();
  await minio?.stop();
});

describe('scanPrefix on MinIO', () => {
  it('totals a few thousand keys in mixed classes as written, with bounded pages', async () => {
    let pages = 0;
    const started = Date.now();
    const totals = await scanPrefix(provider, 'scan', 'runs/', { pageSize: 1000, progressIntervalMs: 0, onProgress: (p) => (pages = p.pages) });
    const ms = Date.now() - started;
    expect(totals.objects).toBe(KEYS);
    expect(totals.bytes).toBe(written.reduce((t, w) => t + w.size, 0));
    for (const cls of ['STANDARD', 'REDUCED_REDUNDANCY']) {
      const sel = written.filter((w) => w.storageClass === cls);
      expect(totals.byClass[cls], cls).toMatchObject({ count: sel.length, bytes: sel.reduce((t, w) => t + w.size, 0) });
    }
    for (const [cat, t] of Object.entries(totals.byCategory)) {
      const sel = written.filter((w) => categoryOf(w.key) === cat);
      expect(t, cat).toEqual({ count: sel.length, bytes: sel.reduce((s, w) => s + w.size, 0) });
    }
    expect(totals.byAge['<30d']?.count).toBe(KEYS);
    expect(pages).toBe(Math.ceil(KEYS / 1000));
    expect(totals.largestPrefixes.filter((p) => p.depth === 1).map((p) => p.prefix).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `runs/r${i}/`),
    );
    // REDUCED_REDUNDANCY is not in the catalog: priced as the default class (STANDARD), with a note saying so
    const keep = keepingCost(SHIPPED_CATALOG, { provider: 'aws-s3', region: 'us-east-1' }, totals);
    expect(keep.notes.join(' ')).toMatch(/REDUCED_REDUNDANCY/);
    expect(keep.monthlyUsd).toBeCloseTo((totals.bytes / 2 ** 30) * 0.023, 15);
    console.log(`[costs] MinIO scan: ${KEYS} keys in ${pages} pages, ${ms} ms`);
  });
});
