import { Storage } from '@google-cloud/storage';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGcs, type FakeGcsHandle } from '../../../tools/emulators/emulators';
import { createGcsProvider } from '../providers/gcs/gcs.provider';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';
import { JobManager } from './job-manager';
import { counted } from '../test-support/counted';
import { resolverFor } from '../test-support/resolver';

const FILES = 12;
let gcs: FakeGcsHandle;
let sdk: Storage;
let source: Provider;
let local: Provider;
let dir: string;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const body = (i: number, v = 0): Buffer => Buffer.from(`gcs file ${i} version ${v} `.repeat(80 + i));

beforeAll(async () => {
  gcs = await startFakeGcs({ backend: 'memory' });
  sdk = new Storage({ projectId: gcs.projectId, apiEndpoint: gcs.endpoint, useAuthWithCustomEndpoint: false });
  source = createGcsProvider({ kind: 'gcs', name: 'fake', projectId: gcs.projectId, endpoint: gcs.endpoint, bucket: undefined }, {});
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-gcs-requests-'));
  local = createLocalProvider({ kind: 'local', name: 'disk', root: dir });
  await source.createBucket('src');
  await local.createBucket('dst');
  for (let i = 0; i < FILES; i++) await sdk.bucket('src').file(`d/f${i}.txt`).save(body(i), { contentType: 'text/plain', resumable: false });
}, 300_000);

afterAll(async () => {
  await Promise.all([source?.close?.(), local?.close?.()]);
  await gcs?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('requests per file from a GCS source (fake-gcs-server -> local folder)', () => {
  it('reads each listed object once, with no HEAD before or after, and every file verifies by MD5', async () => {
    const src = counted(source);
    const m = new JobManager({ resolve: resolverFor({ fake: src.provider, disk: local }) });
    const { id } = m.start({ kind: 'copy', sources: ['gs://fake/src/d/'], destination: 'file://disk/dst/out/' });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('completed');
    expect(d.files).toHaveLength(FILES);
    expect(d.files.every((f) => f.checksum === 'md5' && f.attempts === 1)).toBe(true);
    expect(src.counts.stat).toBe(0);
    expect(src.counts.open).toBe(FILES);
    for (let i = 0; i < FILES; i++) expect(md5(await readFile(path.join(dir, 'dst', 'out', 'd', `f${i}.txt`)))).toBe(md5(body(i)));
    await m.close();
  });

  it('an object rewritten after the listing is refused by the pinned read and copied again as it is now', async () => {
    let changed = false;
    const src = counted(source, async (key) => {
      if (key !== 'd/f5.txt' || changed) return;
      changed = true;
      await sdk.bucket('src').file(key).save(body(5, 1), { resumable: false });
    });
    const m = new JobManager({ resolve: resolverFor({ fake: src.provider, disk: local }) });
    const { id } = m.start({ kind: 'copy', sources: ['gs://fake/src/d/'], destination: 'file://disk/dst/again/' });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('completed');
    expect(d.files.find((f) => f.source.endsWith('/f5.txt'))?.attempts).toBe(2);
    expect(md5(await readFile(path.join(dir, 'dst', 'again', 'd', 'f5.txt')))).toBe(md5(body(5, 1)));
    expect(md5(await readFile(path.join(dir, 'dst', 'again', 'd', 'f6.txt')))).toBe(md5(body(6)));
    await m.close();
  });
});
