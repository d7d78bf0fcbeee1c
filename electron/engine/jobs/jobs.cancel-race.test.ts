import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { Storage } from '@google-cloud/storage';
import { PassThrough, type Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../shared/errors';
import { startFakeGcs, startMinio, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { patternStream } from '../test-support/conformance/data';
import { createGcsProvider } from '../providers/gcs/gcs.provider';
import { TEMP_PREFIX } from '../providers/gcs/gcs.temp';
import type { MultipartSettings, Provider, ResumeState } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';

/**
 * A part request cut by the client after its whole body had left can still be stored by the service. The fault
 * proxy's delay-request takes one part's body whole and passes it on seconds later, as a loaded link or service
 * does; after the cancel and its cleanup, nothing of the upload may be left.
 */
const MiB = 1024 * 1024;
const MULTIPART: MultipartSettings = { thresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 4 };
const DELAY_MS = 7000;
let run = 0;

beforeEach(() => {
  run++;
});

/** Starts the put, cancels it once the proxy holds a delayed request, and answers how the put ended. */
async function cancelOnceDelayed(proxy: FaultProxy, put: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
  const ac = new AbortController();
  const outcome = put(ac.signal).then(
    () => 'committed',
    (e: unknown) => e,
  );
  for (let i = 0; i < 400 && !proxy.fired['delay-request']; i++) await new Promise((r) => setTimeout(r, 25));
  expect(proxy.fired['delay-request']).toBe(1);
  ac.abort();
  return outcome;
}

describe('a cancelled GCS composite upload (fault proxy in front of fake-gcs-server)', () => {
  let gcs: FakeGcsHandle;
  let proxy: FaultProxy;
  let provider: Provider;
  let sdk: Storage;

  beforeAll(async () => {
    gcs = await startFakeGcs({ backend: 'memory' });
    proxy = await startFaultProxy(gcs.endpoint);
    provider = createGcsProvider({ kind: 'gcs', name: 'fake', projectId: gcs.projectId, endpoint: proxy.endpoint, bucket: undefined }, {}, { multipart: MULTIPART });
    sdk = new Storage({ projectId: gcs.projectId, apiEndpoint: gcs.endpoint, useAuthWithCustomEndpoint: false });
    await provider.createBucket('dst');
  }, 300_000);

  afterAll(async () => {
    await provider?.close?.();
    await proxy?.close();
    await gcs?.stop();
  });

  beforeEach(() => proxy.reset());

  const tempObjects = async (): Promise<string[]> => (await sdk.bucket('dst').getFiles({ prefix: TEMP_PREFIX }))[0].map((f) => f.name);

  it('a part whose bytes had all left when the upload was cancelled is waited for, then deleted with the rest', async () => {
    const key = `run${run}/late-part.bin`;
    // The first part's multipart/related request (a temp object under TEMP_PREFIX), held 7 s by the proxy.
    const isPart = (m: string, u: string): boolean => m === 'POST' && u.startsWith('/upload/storage/v1/b/dst/o') && decodeURIComponent(u).includes(`name=${TEMP_PREFIX}`);
    proxy.add({ match: isPart, times: 1, fault: { kind: 'delay-request', ms: DELAY_MS } });
    const size = 12 * MiB;
    const t0 = Date.now();
    const outcome = await cancelOnceDelayed(proxy, (signal) => provider.put('dst', key, patternStream(size, 3), { size, signal }));
    expect(outcome).toBeInstanceOf(CancelledError);
    const cancelMs = Date.now() - t0;
    await proxy.settled();
    expect(await tempObjects()).toEqual([]);
    expect((await sdk.bucket('dst').file(key).exists())[0]).toBe(false);
    // Bounded: the put answered once the held part was answered, not after a stall watch of minutes.
    expect(cancelMs).toBeLessThan(DELAY_MS + 10_000);
  }, 60_000);

  it('a part still being sent when the upload was cancelled is cut at once, not waited for', async () => {
    // Parts far larger than what the loopback socket buffers can hold, so that the stalled one cannot have left.
    const big = createGcsProvider({ kind: 'gcs', name: 'fake', projectId: gcs.projectId, endpoint: proxy.endpoint, bucket: undefined }, {}, { multipart: { thresholdBytes: 6 * MiB, partSizeBytes: 32 * MiB, concurrency: 4 } });
    const key = `run${run}/stalled-part.bin`;
    const isPart = (m: string, u: string): boolean => m === 'POST' && u.startsWith('/upload/storage/v1/b/dst/o') && decodeURIComponent(u).includes(`name=${TEMP_PREFIX}`);
    proxy.add({ match: isPart, times: 1, fault: { kind: 'stall-request', afterBytes: 256 * 1024 } });
    const size = 40 * MiB;
    const ac = new AbortController();
    try {
      const outcome = big.put('dst', key, patternStream(size, 4), { size, signal: ac.signal }).then(
        () => 'committed',
        (e: unknown) => e,
      );
      for (let i = 0; i < 400 && !proxy.fired['stall-request']; i++) await new Promise((r) => setTimeout(r, 25));
      expect(proxy.fired['stall-request']).toBe(1);
      const t0 = Date.now();
      ac.abort();
      expect(await outcome).toBeInstanceOf(CancelledError);
      // Not the 2 minutes a sent part may be waited for: the stalled one was cut, the other answered or cut.
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(await tempObjects()).toEqual([]);
    } finally {
      await big.close?.();
    }
  }, 60_000);
});

describe('a cancelled S3 multipart upload (fault proxy in front of MinIO)', () => {
  let minio: MinioHandle;
  let proxy: FaultProxy;
  let provider: Provider;
  let sdk: S3Client;

  beforeAll(async () => {
    minio = await startMinio();
    proxy = await startFaultProxy(minio.endpoint);
    const secrets = { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
    provider = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, secrets, { multipart: MULTIPART });
    sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: secrets });
    await provider.createBucket('dst');
  }, 600_000);

  afterAll(async () => {
    sdk?.destroy();
    await provider?.close?.();
    await proxy?.close();
    await minio?.stop();
  });

  beforeEach(() => proxy.reset());

  /** The first `bytes` of a pattern, then an open stream that never ends: the cancel always lands mid-upload. */
  const unended = (bytes: number, seed: number): Readable => patternStream(bytes, seed).pipe(new PassThrough(), { end: false });
  /** Unfinished multipart uploads of `key`, as the service lists them. */
  const pending = async (key: string): Promise<number> => (await sdk.send(new ListMultipartUploadsCommand({ Bucket: 'dst', Prefix: key }))).Uploads?.length ?? 0;
  const isPart = (key: string) => (m: string, u: string): boolean => m === 'PUT' && u.startsWith(`/dst/${key}?`) && u.includes('partNumber=') && u.includes('uploadId=');

  // MinIO answers a part that arrives after the abort with 404 and stores nothing, so this case shows that the
  // cancel aborts the upload (and ends cancelled while a part is held back), not the late-part race itself.
  it('lib-storage: a cancel while a part is held back by the proxy ends cancelled and leaves no upload', async () => {
    const key = `run${run}/late-part.bin`;
    proxy.add({ match: isPart(key), times: 1, fault: { kind: 'delay-request', ms: DELAY_MS } });
    const size = 20 * MiB;
    const outcome = await cancelOnceDelayed(proxy, (signal) => provider.put('dst', key, unended(12 * MiB, 6), { size, signal }));
    expect(outcome).toBeInstanceOf(CancelledError);
    await proxy.settled();
    expect(await pending(key)).toBe(0);
  }, 60_000);

  it('resumable: a part delivered 7 s after the cancel leaves no upload behind once the resume is discarded', async () => {
    const key = `run${run}/late-part-resumable.bin`;
    proxy.add({ match: isPart(key), times: 1, fault: { kind: 'delay-request', ms: DELAY_MS } });
    const size = 20 * MiB;
    let state: ResumeState | undefined;
    const outcome = await cancelOnceDelayed(proxy, (signal) => provider.put('dst', key, unended(12 * MiB, 7), { size, signal, resume: { onCheckpoint: (s) => (state = s) } }));
    expect(outcome).toBeInstanceOf(CancelledError);
    // The put answered only once the part it had sent was answered: nothing of it is still on its way.
    expect(await Promise.race([proxy.settled().then(() => 'settled'), new Promise((r) => setTimeout(() => r('on its way'), 50))])).toBe('settled');
    expect(state).toBeDefined();
    // What the transfer runner does after a cancelled file.
    if (state) await provider.discardResume?.('dst', key, state);
    await proxy.settled();
    expect(await pending(key)).toBe(0);
  }, 60_000);
});
