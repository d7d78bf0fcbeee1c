import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzurite, startFakeGcs, startMinio, type AzuriteHandle, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createAzureProvider } from '../providers/azure/azure.provider';
import { md5OfPattern, md5OfStream, patternStream } from '../test-support/conformance/data';
import { createGcsProvider } from '../providers/gcs/gcs.provider';
import { createLocalProvider } from '../providers/local/local.provider';
import type { MultipartSettings, Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { JobManager } from './job-manager';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';
import { resolverFor } from '../test-support/resolver';

/**
 * ../shared/RELIABILITY.md, Integrity: "An overwrite that fails verification leaves the previous object in place."
 * The source (MinIO, single-part objects whose ETag is their MD5) is read through the fault proxy, which flips a
 * byte of every read; each destination already holds an older version of both files. The relay must notice the
 * bad bytes before the destination commits (single-shot and multipart/blocks/compose), so the old version stays.
 */
const MiB = 1024 * 1024;
const DST_MULTIPART: MultipartSettings = { thresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 2 };
const FILES: Record<string, { size: number; seed: number }> = { 'ow/small.bin': { size: 40_000, seed: 31 }, 'ow/large.bin': { size: 7 * MiB, seed: 32 } };
const OLD_SEED = 900;

let minio: MinioHandle;
let az: AzuriteHandle;
let gcs: FakeGcsHandle;
let proxy: FaultProxy;
let localDir: string;
let src: Provider;
const destinations: Record<string, { provider: Provider; uri: string; bucket: string }> = {};

beforeAll(async () => {
  [minio, az, gcs] = await Promise.all([startMinio(), startAzurite(), startFakeGcs({ backend: 'memory' })]);
  proxy = await startFaultProxy(minio.endpoint);
  localDir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-overwrite-'));
  const s3Secrets = { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
  // The SDK's response validation off, and single PutObjects (so that the ETag is the MD5) at the source.
  src = createS3Provider({ kind: 's3', name: 'src', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, checksumMode: 'when_required' }, s3Secrets, { multipart: { ...DST_MULTIPART, thresholdBytes: 64 * MiB } });
  destinations.s3 = { provider: createS3Provider({ kind: 's3', name: 'dst', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, s3Secrets, { multipart: DST_MULTIPART }), uri: 's3://s3/dst/', bucket: 'dst' };
  destinations.azure = { provider: createAzureProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint }, { accountKey: az.accountKey }, { multipart: DST_MULTIPART }), uri: 'az://azure/dst/', bucket: 'dst' };
  destinations.gcs = { provider: createGcsProvider({ kind: 'gcs', name: 'fake', projectId: gcs.projectId, endpoint: gcs.endpoint, bucket: undefined }, {}, { multipart: DST_MULTIPART }), uri: 'gs://gcs/dst/', bucket: 'dst' };
  destinations.local = { provider: createLocalProvider({ kind: 'local', name: 'local', root: localDir }), uri: 'file://local/dst/', bucket: 'dst' };
  await src.createBucket('src');
  for (const d of Object.values(destinations)) await d.provider.createBucket(d.bucket);
  for (const [key, { size, seed }] of Object.entries(FILES)) {
    await src.put('src', key, patternStream(size, seed), { size });
    for (const d of Object.values(destinations)) await d.provider.put(d.bucket, key, patternStream(size, seed + OLD_SEED), { size });
  }
}, 600_000);

afterAll(async () => {
  await Promise.all([src, ...Object.values(destinations).map((d) => d.provider)].map((p) => p?.close?.()));
  await proxy?.close();
  await Promise.all([minio?.stop(), az?.stop(), gcs?.stop()]);
  if (localDir) await rm(localDir, { recursive: true, force: true });
});

beforeEach(() => proxy.reset());

async function copyTo(name: string): Promise<ReturnType<ReturnType<JobManager['get']>['detail']>> {
  const d = destinations[name];
  if (!d) throw new Error(name);
  const m = new JobManager({ resolve: resolverFor({ src, [name]: d.provider }), retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 2 } });
  try {
    const { id } = m.start({ kind: 'copy', sources: ['s3://src/src/ow/'], destination: d.uri, options: { overwrite: 'always' } });
    await m.waitForIdle();
    return m.get(id).detail();
  } finally {
    await m.close();
  }
}

async function md5At(name: string, key: string): Promise<string> {
  const d = destinations[name];
  if (!d) throw new Error(name);
  return (await md5OfStream(await d.provider.open(d.bucket, key))).md5;
}

describe('an overwrite whose source read is corrupted keeps the previous object', () => {
  for (const name of ['s3', 'azure', 'gcs', 'local']) {
    it(`${name}: single-shot and multipart destinations keep the old bytes; nothing half-written is left`, async () => {
      proxy.add({ match: (m, u) => m === 'GET' && u.startsWith('/src/ow/'), times: 1000, fault: { kind: 'corrupt-response', atByte: 1000 } });
      const detail = await copyTo(name);
      expect(proxy.fired['corrupt-response']).toBeGreaterThanOrEqual(4);
      expect(detail.state).toBe('failed');
      for (const f of detail.files) {
        expect(f.state, f.source).toBe('failed');
        expect(f.error?.code, f.source).toBe('checksum_mismatch');
        expect(f.error?.message, f.source).toMatch(/do not match its stored MD5.*nothing was written/);
      }
      for (const [key, { size, seed }] of Object.entries(FILES)) {
        expect(await md5At(name, key), `${name} ${key}`).toBe(await md5OfPattern(size, seed + OLD_SEED));
      }
      const pending = await destinations[name]?.provider.listPendingUploads?.('dst');
      if (name !== 'azure') expect(pending ?? []).toEqual([]);
    });
  }

  it('without the fault the same overwrites replace both objects everywhere (the check is not what fails)', async () => {
    for (const name of ['s3', 'azure', 'gcs', 'local']) {
      const detail = await copyTo(name);
      expect(detail.state, name).toBe('completed');
      for (const [key, { size, seed }] of Object.entries(FILES)) expect(await md5At(name, key), `${name} ${key}`).toBe(await md5OfPattern(size, seed));
    }
  });
});
