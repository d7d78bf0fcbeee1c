import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, startMinio, type AzuriteHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createAzureProvider } from '../providers/azure/azure.provider';
import { md5OfPattern, md5OfStream, patternStream } from '../providers/conformance/data';
import type { MultipartSettings, Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { JobManager } from './job-manager';
import { startFaultProxy, type FaultProxy } from './testing/fault-proxy';
import { resolverFor } from './testing/resolver';

/**
 * Uploads whose connection goes silent: Azurite behind the fault proxy, which takes the first bytes of a request
 * and then reads nothing more and never answers. The Azure SDK has no inactivity timeout of its own; the provider
 * gives up a request that shows no progress for its stall time (1 s here), and the job retries the file.
 */
const MiB = 1024 * 1024;
const MULTIPART: MultipartSettings = { thresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 4 };
const FILES: Record<string, number> = { 'stall/big.bin': 9 * MiB + 7, 'stall/small.bin': 40_000 };

let minio: MinioHandle;
let az: AzuriteHandle;
let proxy: FaultProxy;
let s3: Provider;
let azure: Provider;
let azsdk: BlobServiceClient;
const md5s = new Map<string, string>();

beforeAll(async () => {
  [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  proxy = await startFaultProxy(new URL(az.endpoint).origin);
  const viaProxy = `${proxy.endpoint}${new URL(az.endpoint).pathname}`;
  s3 = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
  azure = createAzureProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: viaProxy }, { accountKey: az.accountKey }, { multipart: MULTIPART, blockStallMs: 1000 });
  azsdk = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  await s3.createBucket('src');
  await azure.createBucket('dst');
  let seed = 31;
  for (const [key, size] of Object.entries(FILES)) {
    const s = seed++;
    await s3.put('src', key, patternStream(size, s), { size });
    md5s.set(key, await md5OfPattern(size, s));
  }
}, 600_000);

afterAll(async () => {
  await Promise.all([s3?.close?.(), azure?.close?.()]);
  await proxy?.close();
  await Promise.all([minio?.stop(), az?.stop()]);
});

describe('an upload whose connection goes silent (MinIO -> Azurite behind the fault proxy)', () => {
  it('a stalled Put Block and a stalled Put Blob are given up after the stall time, retried, and every blob verifies', async () => {
    const isBlock = (m: string, u: string): boolean => m === 'PUT' && u.includes('/dst/stall/big.bin') && u.includes('comp=block') && !u.includes('blocklist');
    const isPutBlob = (m: string, u: string): boolean => m === 'PUT' && u.includes('/dst/stall/small.bin') && !u.includes('comp=');
    proxy.add({ match: isBlock, times: 1, fault: { kind: 'stall-request', afterBytes: 64 * 1024 } });
    proxy.add({ match: isPutBlob, times: 1, fault: { kind: 'stall-request', afterBytes: 1000 } });
    const m = new JobManager({ resolve: resolverFor({ minio: s3, azurite: azure }), emit: () => undefined, progressIntervalMs: 20, retry: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 4 } });
    const t0 = Date.now();
    const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/stall/'], destination: 'az://azurite/dst/' });
    await m.waitForIdle();
    const ms = Date.now() - t0;
    const detail = m.get(id).detail();
    await m.close();

    expect(proxy.fired['stall-request']).toBe(2);
    expect(detail.state, JSON.stringify(detail.files.map((f) => f.error))).toBe('completed');
    for (const f of detail.files) expect(f.attempts, f.source).toBe(2);
    // Each stall was given up after about a second, not waited on forever.
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(30_000);
    const c = azsdk.getContainerClient('dst');
    for (const [key, md5] of md5s) {
      const body = (await c.getBlobClient(key).download()).readableStreamBody;
      if (!body) throw new Error(`no body for ${key}`);
      expect((await md5OfStream(body as NodeJS.ReadableStream & AsyncIterable<Buffer>)).md5, key).toBe(md5);
    }
  });
});
