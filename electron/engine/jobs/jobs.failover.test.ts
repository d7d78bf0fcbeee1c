import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobStartRequestSchema } from '../../../shared/contract/jobs.channels';
import { startFakeGcs, startMinio, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { md5OfPattern, md5OfStream, patternStream } from '../test-support/conformance/data';
import { createGcsProvider } from '../providers/gcs/gcs.provider';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { JobManager } from './job-manager';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';
import { resolverFor } from '../test-support/resolver';

/**
 * A read with failover: the same object saved in MinIO and in fake-gcs; when the MinIO copy cannot
 * be read, a download reads the GCS copy instead, verifies it, and says so on the file entry.
 */
const SIZE = 300_000;
const SEED = 42;
const MAX_ATTEMPTS = 3;

let minio: MinioHandle;
let gcsEmu: FakeGcsHandle;
let proxy: FaultProxy;
let accounts: Record<string, Provider>;
let tmp: string;
let md5: string;
let run = 0;

beforeAll(async () => {
  [minio, gcsEmu] = await Promise.all([startMinio(), startFakeGcs({ backend: 'memory' })]);
  proxy = await startFaultProxy(minio.endpoint);
  const s3 = (name: string, endpoint: string, secretAccessKey: string): Provider =>
    createS3Provider({ kind: 's3', name, region: minio.region, endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-failover-'));
  accounts = {
    minio: s3('minio', minio.endpoint, minio.secretAccessKey),
    // The same server with a wrong secret: every request is refused (access_denied, never retried).
    wrongkey: s3('wrongkey', minio.endpoint, `${minio.secretAccessKey}x`),
    flaky: s3('flaky', proxy.endpoint, minio.secretAccessKey),
    gcs: createGcsProvider({ kind: 'gcs', name: 'gcs', projectId: gcsEmu.projectId, endpoint: gcsEmu.endpoint, bucket: undefined }, {}),
    local: createLocalProvider({ kind: 'local', name: 'local', root: tmp }),
  };
  await accounts.minio?.createBucket('src');
  await accounts.gcs?.createBucket('copy');
  await accounts.local?.createBucket('dl');
  for (const [p, bucket] of [
    [accounts.minio, 'src'],
    [accounts.gcs, 'copy'],
  ] as const) {
    await p?.put(bucket, 'saved/photo.bin', patternStream(SIZE, SEED), { size: SIZE });
  }
  md5 = await md5OfPattern(SIZE, SEED);
}, 600_000);

afterAll(async () => {
  await Promise.all(Object.values(accounts ?? {}).map((p) => p.close?.()));
  await proxy?.close();
  await Promise.all([minio?.stop(), gcsEmu?.stop()]);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  run++;
  proxy.reset();
});

async function download(source: string, alternates: string[]): Promise<{ detail: ReturnType<ReturnType<JobManager['get']>['detail']>; file: string }> {
  const m = new JobManager({ resolve: resolverFor(accounts), retry: { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: MAX_ATTEMPTS } });
  const request = JobStartRequestSchema.parse({ kind: 'copy', sources: [source], destination: `file://local/dl/run${run}/`, options: alternates.length ? { alternates } : {} });
  const { id } = m.start(request);
  await m.waitForIdle();
  const detail = m.get(id).detail();
  await m.close();
  return { detail, file: path.join(tmp, 'dl', `run${run}`, 'photo.bin') };
}

async function md5OfFile(file: string): Promise<string> {
  return (await md5OfStream(createReadStream(file))).md5;
}

describe('read with failover', () => {
  it('reads the GCS copy when the MinIO one is refused (access denied), verified, with a notice', async () => {
    const { detail, file } = await download('s3://wrongkey/src/saved/photo.bin', ['gs://gcs/copy/saved/photo.bin']);
    expect(detail.state).toBe('completed');
    const f = detail.files[0];
    expect(f?.state).toBe('done');
    expect(f?.notice).toMatch(/^Read from gs:\/\/gcs\/copy\/saved\/photo\.bin after s3:\/\/wrongkey\/src\/saved\/photo\.bin failed: /);
    expect(f?.checksum).not.toBe('none');
    expect(f?.attempts).toBe(2);
    expect(await md5OfFile(file)).toBe(md5);
  });

  it('reads the GCS copy when the MinIO one was deleted', async () => {
    await accounts.minio?.put('src', 'saved/gone.bin', patternStream(10, 1), { size: 10 });
    await accounts.gcs?.put('copy', 'saved/gone.bin', patternStream(SIZE, SEED), { size: SIZE });
    await accounts.minio?.remove('src', 'saved/gone.bin');
    const { detail } = await download('s3://minio/src/saved/gone.bin', ['gs://gcs/copy/saved/gone.bin']);
    expect(detail.state).toBe('completed');
    expect(detail.files[0]?.notice).toMatch(/^Read from gs:\/\/gcs\/copy\/saved\/gone\.bin after s3:\/\/minio\/src\/saved\/gone\.bin failed: /);
    expect(await md5OfFile(path.join(tmp, 'dl', `run${run}`, 'gone.bin'))).toBe(md5);
  });

  it('without an alternate, fails with the clear reason', async () => {
    const { detail } = await download('s3://wrongkey/src/saved/photo.bin', []);
    expect(detail.state).toBe('failed');
    expect(detail.error?.code).toBe('access_denied');
  });

  it('when no location answers, fails with the first location\'s reason', async () => {
    const { detail } = await download('s3://wrongkey/src/saved/photo.bin', ['gs://gcs/copy/saved/nowhere.bin']);
    expect(detail.state).toBe('failed');
    expect(detail.error?.code).toBe('access_denied');
  });

  it('retries a retryable failure at the first location before falling back', async () => {
    const gets = (method: string, url: string): boolean => method === 'GET' && url.startsWith('/src/saved/photo.bin');
    proxy.add({ match: gets, times: 100, fault: { kind: 'status', status: 503 } });
    const { detail, file } = await download('s3://flaky/src/saved/photo.bin', ['gs://gcs/copy/saved/photo.bin']);
    expect(detail.state).toBe('completed');
    const f = detail.files[0];
    // Every attempt at the first location was made (and refused) before the GCS copy served the file.
    expect(proxy.fired.status ?? 0).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
    expect(f?.attempts).toBe(MAX_ATTEMPTS + 1);
    expect(f?.notice).toMatch(/^Read from gs:\/\/gcs\/copy\/saved\/photo\.bin after s3:\/\/flaky\/src\/saved\/photo\.bin failed: /);
    expect(await md5OfFile(file)).toBe(md5);
  });

  it('the contract takes alternates only for a copy of one object', () => {
    expect(JobStartRequestSchema.safeParse({ kind: 'copy', sources: ['s3://a/b/c', 's3://a/b/d'], destination: 'file://local/x/', options: { alternates: ['gs://g/b/c'] } }).success).toBe(false);
    expect(JobStartRequestSchema.safeParse({ kind: 'move', sources: ['s3://a/b/c'], destination: 'file://local/x/', options: { alternates: ['gs://g/b/c'] } }).success).toBe(false);
    expect(JobStartRequestSchema.safeParse({ kind: 'copy', sources: ['s3://a/b/c'], destination: 'file://local/x/', options: { alternates: ['gs://g/b/'] } }).success).toBe(false);
    expect(JobStartRequestSchema.safeParse({ kind: 'copy', sources: ['s3://a/b/c'], destination: 'file://local/x/', options: { alternates: ['gs://g/b/c'] } }).success).toBe(true);
  });
});
