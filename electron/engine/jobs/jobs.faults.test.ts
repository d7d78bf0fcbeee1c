import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/contract/jobs.channels';
import { CancelledError } from '../../../shared/errors';
import { startAzurite, startMinio, type AzuriteHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createAzureProvider } from '../providers/azure/azure.provider';
import { md5OfPattern, md5OfStream, patternStream } from '../test-support/conformance/data';
import type { MultipartSettings, Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { JobManager, type JobEventSink } from './job-manager';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';
import { resolverFor } from '../test-support/resolver';

/**
 * MinIO behind the fault proxy, Azurite as the destination: every case must end with all data verified with the
 * Azure SDK and no byte counted twice, or with a clear failure once retries are spent.
 */
const MiB = 1024 * 1024;
const MULTIPART: MultipartSettings = { thresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 4 };
const FILES: Record<string, number> = { 'faults/big.bin': 9 * MiB, 'faults/small.bin': 40_000, 'faults/mid.bin': 2 * MiB };

let minio: MinioHandle;
let az: AzuriteHandle;
let proxy: FaultProxy;
/** In front of Azurite, for uploads that go silent; `azureViaProxy` gives up a request after 3 s without progress
 * (more than a healthy block waits for busy Azurite's answer on 2 loaded cores). */
let azProxy: FaultProxy;
let s3: Provider;
let azure: Provider;
let azureViaProxy: Provider;
let azsdk: BlobServiceClient;
let run = 0;
const md5s = new Map<string, string>();
// Object reads only: not the GetObjectAttributes (`?attributes`) that a multipart object's read asks for its parts.
const onGetObject = (method: string, url: string): boolean => method === 'GET' && url.startsWith('/src/faults/') && !url.includes('attributes');

beforeAll(async () => {
  [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  [proxy, azProxy] = await Promise.all([startFaultProxy(minio.endpoint), startFaultProxy(new URL(az.endpoint).origin)]);
  s3 = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
  azure = createAzureProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint }, { accountKey: az.accountKey }, { multipart: MULTIPART });
  const viaProxy = `${azProxy.endpoint}${new URL(az.endpoint).pathname}`;
  azureViaProxy = createAzureProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: viaProxy }, { accountKey: az.accountKey }, { multipart: MULTIPART, blockStallMs: 3000 });
  azsdk = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  await s3.createBucket('src');
  await azure.createBucket('dst');
  let seed = 7;
  for (const [key, size] of Object.entries(FILES)) {
    const s = seed++;
    await s3.put('src', key, patternStream(size, s), { size });
    md5s.set(key, await md5OfPattern(size, s));
  }
}, 600_000);

afterAll(async () => {
  await Promise.all([s3?.close?.(), azure?.close?.(), azureViaProxy?.close?.()]);
  await Promise.all([proxy?.close(), azProxy?.close()]);
  await Promise.all([minio?.stop(), az?.stop()]);
});

beforeEach(() => {
  run++;
  proxy.reset();
  azProxy.reset();
});

async function copyAll({ source = s3, destination = azure, stallMs }: { source?: Provider; destination?: Provider; stallMs?: number } = {}): Promise<{ detail: ReturnType<ReturnType<JobManager['get']>['detail']>; events: JobSummary[]; prefix: string; ms: number }> {
  const events: JobSummary[] = [];
  const emit: JobEventSink = (event, payload) => {
    if (event === 'jobs:progress') events.push(payload as JobSummary);
  };
  const m = new JobManager({ resolve: resolverFor({ minio: source, azurite: destination }), emit, progressIntervalMs: 20, retry: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 5 }, ...(stallMs === undefined ? {} : { stallMs }) });
  const prefix = `run${run}/`;
  const t0 = Date.now();
  const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/faults/'], destination: `az://azurite/dst/${prefix}` });
  await m.waitForIdle();
  const detail = m.get(id).detail();
  await m.close();
  return { detail, events, prefix, ms: Date.now() - t0 };
}

async function expectAllVerified(prefix: string): Promise<void> {
  const c = azsdk.getContainerClient('dst');
  for (const [key, md5] of md5s) {
    const body = (await c.getBlobClient(`${prefix}${key}`).download()).readableStreamBody;
    if (!body) throw new Error(`no body for ${key}`);
    expect((await md5OfStream(body as NodeJS.ReadableStream & AsyncIterable<Buffer>)).md5, key).toBe(md5);
  }
}

function expectHonestBytes(detail: { bytesDone: number; bytesTotal: number }, events: JobSummary[]): void {
  const total = Object.values(FILES).reduce((a, b) => a + b, 0);
  expect(detail.bytesTotal).toBe(total);
  expect(detail.bytesDone).toBe(total);
  for (const e of events) expect(e.bytesDone).toBeLessThanOrEqual(total);
}

describe('transfers through the fault proxy (MinIO -> Azurite)', () => {
  it('connections dropped mid-body are retried; every file verifies; no byte is counted twice', async () => {
    proxy.add({ match: (m, u) => onGetObject(m, u) && u.includes('big.bin'), times: 2, fault: { kind: 'drop-response', afterBytes: 1 * MiB } });
    const { detail, events, prefix } = await copyAll();
    expect(detail.state).toBe('completed');
    expect(proxy.fired['drop-response']).toBe(2);
    expect(detail.files.some((f) => f.attempts > 1)).toBe(true);
    expectHonestBytes(detail, events);
    await expectAllVerified(prefix);
  });

  it('503 bursts with Retry-After back off, then succeed', async () => {
    proxy.add({ match: onGetObject, times: 8, fault: { kind: 'status', status: 503, retryAfterSeconds: 1 } });
    const { detail, events, prefix, ms } = await copyAll();
    expect(detail.state).toBe('completed');
    expect(proxy.fired.status).toBe(8);
    // Retry-After: 1 was honoured at least once by someone (SDK or engine).
    expect(ms).toBeGreaterThanOrEqual(1000);
    expectHonestBytes(detail, events);
    await expectAllVerified(prefix);
  });

  it('a corrupted byte in a response is caught by the engine (source MD5 vs bytes read), retried, and verified', async () => {
    // The SDK's own response validation off, so that the engine's check is what catches it.
    const plain = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, checksumMode: 'when_required' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
    // On a single-part object, whose stored MD5 the bytes read are checked against. (The multipart one, uploaded
    // with CRC32 parts, is checked part by part against its composite checksum: 'crc32-composite'.)
    proxy.add({ match: (m, u) => onGetObject(m, u) && u.includes('mid.bin'), times: 1, fault: { kind: 'corrupt-response', atByte: 12_345 } });
    const { detail, events, prefix } = await copyAll({ source: plain });
    await plain.close?.();
    expect(proxy.fired['corrupt-response']).toBe(1);
    expect(detail.state).toBe('completed');
    const mid = detail.files.find((f) => f.source.endsWith('mid.bin'));
    expect(mid?.attempts).toBe(2);
    expect(mid?.checksum).toBe('md5');
    expect(detail.files.find((f) => f.source.endsWith('big.bin'))?.checksum).toBe('crc32-composite');
    expectHonestBytes(detail, events);
    await expectAllVerified(prefix);
  });

  it('with the SDK validating responses, its checksum mismatch on a read is retryable: retried, then verified', async () => {
    // The provider itself: the SDK's "Checksum mismatch" from the body stream arrives as checksum_mismatch.
    proxy.add({ match: (m, u) => onGetObject(m, u) && u.includes('mid.bin'), times: 1, fault: { kind: 'corrupt-response', atByte: 12_345 } });
    const read = await s3.open('src', 'faults/mid.bin');
    const failure = await (async () => {
      for await (const _chunk of read) void _chunk;
    })().then(() => undefined, (e: unknown) => e);
    expect(proxy.fired['corrupt-response']).toBe(1);
    expect(failure).toMatchObject({ code: 'checksum_mismatch' });

    proxy.add({ match: (m, u) => onGetObject(m, u) && u.includes('mid.bin'), times: 1, fault: { kind: 'corrupt-response', atByte: 12_345 } });
    const { detail, events, prefix } = await copyAll();
    expect(proxy.fired['corrupt-response']).toBe(2);
    expect(detail.state).toBe('completed');
    const mid = detail.files.find((f) => f.source.endsWith('mid.bin'));
    expect(mid?.state).toBe('done');
    expect(mid?.attempts).toBe(2);
    expectHonestBytes(detail, events);
    await expectAllVerified(prefix);
  });

  it('a corrupted byte in a multipart object is caught part by part against its composite CRC32, retried, and verified', async () => {
    // The provider alone: the part that holds the bad byte is named, and the stream fails before its end.
    proxy.add({ match: (m, u) => onGetObject(m, u) && u.includes('big.bin'), times: 1, fault: { kind: 'corrupt-response', atByte: 7 * MiB } });
    let meta: { compositeChecksum?: unknown } | undefined;
    const read = await s3.open('src', 'faults/big.bin', { onMetadata: (m) => (meta = m) });
    expect(meta?.compositeChecksum).toMatchObject({ kind: 'crc32', parts: 2 });
    const failure = await (async () => {
      for await (const _chunk of read) void _chunk;
    })().then(() => undefined, (e: unknown) => e);
    expect(proxy.fired['corrupt-response']).toBe(1);
    expect(failure).toMatchObject({ code: 'checksum_mismatch' });
    expect(String((failure as Error).message)).toMatch(/part 2 has [0-9a-f]{8}, S3 stored [0-9a-f]{8}/);

    proxy.add({ match: (m, u) => onGetObject(m, u) && u.includes('big.bin'), times: 1, fault: { kind: 'corrupt-response', atByte: 7 * MiB } });
    const { detail, events, prefix } = await copyAll();
    expect(proxy.fired['corrupt-response']).toBe(2);
    expect(detail.state).toBe('completed');
    const big = detail.files.find((f) => f.source.endsWith('big.bin'));
    expect(big?.attempts).toBe(2);
    expect(big?.checksum).toBe('crc32-composite');
    // No MD5 was made up for a source that stores none: the blob carries no Content-MD5 (as AzCopy without --put-md5).
    const props = await azsdk.getContainerClient('dst').getBlobClient(`${prefix}faults/big.bin`).getProperties();
    expect(props.contentMD5).toBeUndefined();
    expectHonestBytes(detail, events);
    await expectAllVerified(prefix);
  });

  it('a link that keeps corrupting fails the file clearly once retries are spent', async () => {
    proxy.add({ match: (m, u) => onGetObject(m, u) && u.includes('small.bin'), times: 50, fault: { kind: 'corrupt-response', atByte: 100 } });
    const { detail } = await copyAll();
    expect(detail.state).toBe('failed');
    const small = detail.files.find((f) => f.source.endsWith('small.bin'));
    expect(small?.state).toBe('failed');
    expect(small?.error?.message).toBeTruthy();
    expect(detail.files.filter((f) => f.state === 'done')).toHaveLength(2);
    // The bad copy was not left looking like a good one.
    expect(await azsdk.getContainerClient('dst').getBlobClient(`run${run}/faults/small.bin`).exists()).toBe(false);
  });

  it('a read that goes silent on an open connection is given up after the stall time, retried, and verified', async () => {
    // No SDK times out a response body that merely stops: without the engine's watch the job would hang forever.
    proxy.add({ match: (m, u) => onGetObject(m, u) && u.includes('big.bin'), times: 1, fault: { kind: 'stall-response', afterBytes: 3 * MiB } });
    const { detail, events, prefix, ms } = await copyAll({ stallMs: 1500 });
    expect(proxy.fired['stall-response']).toBe(1);
    expect(detail.state).toBe('completed');
    const big = detail.files.find((f) => f.source.endsWith('big.bin'));
    expect(big?.attempts).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(1500);
    expect(ms).toBeLessThan(30_000);
    expectHonestBytes(detail, events);
    await expectAllVerified(prefix);
  });

  it('a stalled Put Block and a stalled Put Blob are given up after the stall time, retried, and every blob verifies', async () => {
    // The proxy in front of Azurite takes the first bytes of the request, then reads nothing more and never answers:
    // the Azure SDK has no inactivity timeout of its own, so without the provider's watch the job would hang.
    const under = (key: string) => (m: string, u: string): boolean => m === 'PUT' && u.includes(`/dst/run${run}/faults/${key}`);
    const isBlock = (m: string, u: string): boolean => under('big.bin')(m, u) && u.includes('comp=block') && !u.includes('blocklist');
    const isPutBlob = (m: string, u: string): boolean => under('small.bin')(m, u) && !u.includes('comp=');
    azProxy.add({ match: isBlock, times: 1, fault: { kind: 'stall-request', afterBytes: 64 * 1024 } });
    azProxy.add({ match: isPutBlob, times: 1, fault: { kind: 'stall-request', afterBytes: 1000 } });
    const { detail, events, prefix, ms } = await copyAll({ destination: azureViaProxy });
    expect(azProxy.fired['stall-request']).toBe(2);
    expect(detail.state, JSON.stringify(detail.files.map((f) => f.error))).toBe('completed');
    expect(detail.files.find((f) => f.source.endsWith('big.bin'))?.attempts).toBe(2);
    expect(detail.files.find((f) => f.source.endsWith('small.bin'))?.attempts).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(3000);
    expect(ms).toBeLessThan(40_000);
    expectHonestBytes(detail, events);
    await expectAllVerified(prefix);
  });

  it('a slow link still finishes, with a speed and an ETA while it runs', async () => {
    proxy.add({ match: onGetObject, times: 3, fault: { kind: 'slow-response', bytesPerSecond: 6 * MiB } });
    const { detail, events, prefix } = await copyAll();
    expect(detail.state).toBe('completed');
    const running = events.filter((e) => e.state === 'running' && e.phase === 'transferring' && e.bytesPerSecond > 0);
    expect(running.length).toBeGreaterThan(0);
    expect(running.some((e) => e.etaSeconds !== null)).toBe(true);
    await expectAllVerified(prefix);
  });
});

describe('cleanup after a cancelled Azure upload (fault proxy in front of Azurite)', () => {
  /** Uncommitted blocks under the key, with the SDK (a key with no blob and no block has none). */
  async function uncommitted(key: string): Promise<number> {
    try {
      return (await azsdk.getContainerClient('dst').getBlockBlobClient(key).getBlockList('uncommitted')).uncommittedBlocks?.length ?? 0;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return 0;
      throw e;
    }
  }

  it('a Put Block whose bytes had all left when the upload was cancelled is waited for, then dropped with the rest', async () => {
    // The proxy takes one block whole and passes it on only 7 s later (past the 5 s given to blocks still being
    // sent), as a loaded link or service does: the request cut by the client would still stage the block after the
    // cleanup. Default stall watch (2 min): the wait is for the block's answer, not cut by a stall.
    const viaProxy = `${azProxy.endpoint}${new URL(az.endpoint).pathname}`;
    const provider = createAzureProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: viaProxy }, { accountKey: az.accountKey }, { multipart: MULTIPART });
    const key = `run${run}/late-block.bin`;
    const isBlock = (m: string, u: string): boolean => m === 'PUT' && u.includes(`/dst/${key}?`) && u.includes('comp=block') && !u.includes('blocklist');
    azProxy.add({ match: isBlock, times: 1, fault: { kind: 'delay-request', ms: 7000 } });
    const ac = new AbortController();
    const size = 12 * MiB;
    try {
      const put = provider.put('dst', key, patternStream(size, 5), { size, signal: ac.signal });
      const outcome = put.then(
        () => 'committed',
        (e: unknown) => e,
      );
      for (let i = 0; i < 400 && !azProxy.fired['delay-request']; i++) await new Promise((r) => setTimeout(r, 25));
      expect(azProxy.fired['delay-request']).toBe(1);
      ac.abort();
      expect(await outcome).toBeInstanceOf(CancelledError);
      await azProxy.settled();
      expect(await uncommitted(key)).toBe(0);
      expect(await azsdk.getContainerClient('dst').getBlobClient(key).exists()).toBe(false);
    } finally {
      await provider.close?.();
    }
  }, 60_000);
});

describe('a store without conditional deletes (fault proxy in front of MinIO)', () => {
  it('a 501 to a conditional delete is asked again without the condition, and the condition is not sent after that', async () => {
    // MinIO takes If-Match on DeleteObject; some S3-compatible stores answer 501 NotImplemented, played by the proxy.
    const p = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    try {
      proxy.add({ match: (method, _url, headers) => method === 'DELETE' && headers['if-match'] !== undefined, times: 10, fault: { kind: 'status', status: 501 } });
      for (const key of ['cond/a.txt', 'cond/b.txt']) await s3.put('src', key, patternStream(10, 3), { size: 10 });
      for (const key of ['cond/a.txt', 'cond/b.txt']) {
        const checked = await p.stat('src', key);
        await p.remove('src', key, undefined, { ifMatch: { etag: checked.etag } });
      }
      const deletes = proxy.requests.filter((r) => r.method === 'DELETE').map((r) => r.url.split('?')[0]);
      expect(deletes).toEqual(['/src/cond/a.txt', '/src/cond/a.txt', '/src/cond/b.txt']);
      expect(proxy.fired.status).toBe(1);
      // Read back with the SDK, straight from MinIO.
      const sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
      try {
        for (const key of ['cond/a.txt', 'cond/b.txt']) await expect(sdk.send(new HeadObjectCommand({ Bucket: 'src', Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
      } finally {
        sdk.destroy();
      }
    } finally {
      await p.close?.();
    }
  });
});
