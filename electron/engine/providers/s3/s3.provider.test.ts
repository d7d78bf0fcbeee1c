import { CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListMultipartUploadsCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Settings } from '../../../../shared/accounts';
import { startMinio, type MinioHandle } from '../../../../tools/emulators/emulators';
import { freePort } from '../../../../tools/emulators/process';
import { md5OfPattern, md5OfStream, patternStream, readAll } from '../../test-support/conformance/data';
import { runConformance, type ConformanceFixture } from '../../test-support/conformance/suite';
import type { MultipartSettings, Provider } from '../provider';
import { createS3Provider } from './s3.provider';

const MiB = 1024 * 1024;
const MULTIPART: MultipartSettings = { thresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 4 };

function settingsFor(m: { endpoint: string; region: string }): S3Settings {
  return { kind: 's3', name: 'minio', region: m.region, endpoint: m.endpoint, forcePathStyle: true, checksumMode: 'when_supported' };
}

function sdkClient(m: MinioHandle): S3Client {
  return new S3Client({
    region: m.region,
    endpoint: m.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey },
  });
}

/** MinIO lists multipart uploads by key prefix; an empty prefix lists them all (what a user's "find abandoned uploads" does). */
async function openUploads(client: S3Client, bucket: string): Promise<number> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return out.Uploads?.length ?? 0;
}

const freshBucket = (): string => `sky-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

runConformance('s3 (MinIO)', async (): Promise<ConformanceFixture> => {
  const minio = await startMinio();
  const client = sdkClient(minio);
  const bucket = freshBucket();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const provider = createS3Provider(settingsFor(minio), { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
  return {
    provider,
    emulator: 'minio',
    bucket,
    multipart: MULTIPART,
    pendingUploads: () => openUploads(client, bucket),
    readWithSdk: async (key) => {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!(out.Body instanceof Readable)) throw new Error('no body');
      return readAll(out.Body);
    },
    teardown: async () => {
      await provider.close?.();
      client.destroy();
      await minio.stop();
    },
  };
});

describe('s3 provider on MinIO: S3-specific behaviour', () => {
  let minio: MinioHandle;
  let client: S3Client;
  let provider: Provider;
  let bucket: string;
  const put = (p: Provider, key: string, body: Buffer, storageClass?: string) =>
    p.put(bucket, key, Readable.from([body]), { size: body.length, contentType: 'text/plain', userMetadata: { owner: 'ada' }, storageClass });

  beforeAll(async () => {
    minio = await startMinio();
    client = sdkClient(minio);
    bucket = freshBucket();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    provider = createS3Provider(settingsFor(minio), { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, {
      multipart: MULTIPART,
      // 5 MiB parts (S3's minimum) from 6 MiB up, so a 12 MiB object goes through UploadPartCopy.
      copy: { multipartThresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB },
    });
  });
  afterAll(async () => {
    await provider?.close?.();
    client?.destroy();
    await minio?.stop();
  });

  it('a wrong secret is access_denied with a clear message that carries no secret', async () => {
    const wrongSecret = 'definitely-not-the-secret-42';
    const bad = createS3Provider(settingsFor(minio), { accessKeyId: minio.accessKeyId, secretAccessKey: wrongSecret });
    try {
      const err: unknown = await bad.listBuckets().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'access_denied', message: expect.stringContaining('check the access key and secret') });
      expect(String((err as Error).message)).not.toContain(wrongSecret);
      await expect(bad.stat(bucket, 'x')).rejects.toMatchObject({ code: 'access_denied' });
    } finally {
      await bad.close?.();
    }
  });

  it('an unreachable endpoint is retryable and names the endpoint', async () => {
    const port = await freePort(); // free now, so nothing listens there
    const endpoint = `http://127.0.0.1:${port}`;
    const secret = 'unreachable-secret-value';
    const dead = createS3Provider({ ...settingsFor(minio), endpoint }, { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret });
    try {
      const err: unknown = await dead.listBuckets().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'retryable' });
      const message = (err as Error).message;
      expect(message).toContain(endpoint);
      expect(message).toMatch(/could not be reached/);
      expect(message).not.toContain(secret);
      expect(message).not.toContain('AKIAEXAMPLE');
    } finally {
      await dead.close?.();
    }
  });

  it('copies a large object with UploadPartCopy (multipart ETag), byte-exact, metadata kept', async () => {
    const size = 12 * MiB + 3;
    await provider.put(bucket, 'big/src.bin', patternStream(size, 11), { size, contentType: 'application/x-test', userMetadata: { k: 'v' } });
    await provider.copy?.({ bucket, key: 'big/src.bin' }, { bucket, key: 'big/copy of src.bin' });
    const meta = await provider.stat(bucket, 'big/copy of src.bin');
    expect(meta.size).toBe(size);
    expect(meta.etag).toMatch(/-3$/); // three parts: the copy really went through UploadPartCopy
    expect(meta.contentType).toBe('application/x-test');
    expect(meta.userMetadata).toEqual({ k: 'v' });
    expect(await md5OfStream(await provider.open(bucket, 'big/copy of src.bin'))).toEqual({ size, md5: await md5OfPattern(size, 11) });
    expect(await openUploads(client, bucket)).toBe(0);
  });

  it('objects read in parallel ranges and put as resumable multipart uploads at once are copied byte-exact', async () => {
    // The ranges' buffers become the uploads' parts and go back to the part pool for the next ranges: two copies
    // at once (one a whole number of parts, one not) must not see each other's bytes.
    const sizes = [20 * MiB, 23 * MiB + 5];
    await Promise.all(sizes.map((size, i) => provider.put(bucket, `ranged/src-${i}.bin`, patternStream(size, 31 + i), { size })));
    let ranges = 0;
    const parallel = { partBytes: MULTIPART.partSizeBytes, limit: () => 4, onRequest: () => void ranges++ };
    await Promise.all(
      sizes.map(async (size, i) => {
        const body = await provider.open(bucket, `ranged/src-${i}.bin`, { parallel, onMetadata: () => undefined });
        await provider.put(bucket, `ranged/copy-${i}.bin`, body, { size, resume: { onCheckpoint: () => undefined } });
      }),
    );
    // Every part after the first of each object is a ranged GET.
    expect(ranges).toBe(sizes.reduce((n, size) => n + Math.ceil(size / MULTIPART.partSizeBytes) - 1, 0));
    for (const [i, size] of sizes.entries()) {
      expect(await md5OfStream(await provider.open(bucket, `ranged/copy-${i}.bin`))).toEqual({ size, md5: await md5OfPattern(size, 31 + i) });
      expect((await provider.stat(bucket, `ranged/copy-${i}.bin`)).etag).toMatch(new RegExp(`-${Math.ceil(size / MULTIPART.partSizeBytes)}$`));
    }
    expect(await openUploads(client, bucket)).toBe(0);
  });

  it('finds a deliberately abandoned multipart upload and aborts it', async () => {
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'abandoned/half.bin' }));
    await client.send(new UploadPartCommand({ Bucket: bucket, Key: 'abandoned/half.bin', UploadId: created.UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB, 1) }));
    const pending = await provider.listPendingUploads?.(bucket);
    const mine = pending?.find((u) => u.key === 'abandoned/half.bin');
    expect(mine?.uploadId).toBe(created.UploadId);
    expect(mine?.initiated).toBeTruthy();
    if (!mine) throw new Error('upload not listed');
    await provider.abortPendingUpload?.(bucket, mine);
    expect((await provider.listPendingUploads?.(bucket))?.some((u) => u.uploadId === created.UploadId)).toBe(false);
    // Aborting it again is not an error: the user's goal (no such upload) holds.
    await provider.abortPendingUpload?.(bucket, mine);
  });

  it('cancelling a multipart put while its upload is open aborts that upload on the server', async () => {
    const size = 20 * MiB;
    const ac = new AbortController();
    let sawOpenUpload = false;
    // The source waits, mid-way, until the server really holds the open multipart upload, then the user cancels.
    async function* source(): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < size; sent += MiB) {
        if (sent === 12 * MiB) {
          for (let i = 0; i < 100 && !sawOpenUpload; i++) {
            sawOpenUpload = ((await provider.listPendingUploads?.(bucket)) ?? []).some((u) => u.key === 'cancel/mid.bin');
            if (!sawOpenUpload) await new Promise((r) => setTimeout(r, 100));
          }
          ac.abort();
        }
        yield Buffer.alloc(MiB, 7);
      }
    }
    await expect(provider.put(bucket, 'cancel/mid.bin', Readable.from(source()), { size, signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(sawOpenUpload).toBe(true);
    expect(await openUploads(client, bucket)).toBe(0);
    await expect(provider.stat(bucket, 'cancel/mid.bin')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('setMetadata keeps unchanged fields and can change the storage class', async () => {
    await put(provider, 'meta/a.txt', Buffer.from('hello'));
    await provider.setMetadata(bucket, 'meta/a.txt', { cacheControl: 'no-store' });
    let meta = await provider.stat(bucket, 'meta/a.txt');
    expect(meta).toMatchObject({ contentType: 'text/plain', cacheControl: 'no-store', userMetadata: { owner: 'ada' }, size: 5 });
    meta = await provider.setMetadata(bucket, 'meta/a.txt', { storageClass: 'REDUCED_REDUNDANCY' });
    expect(meta.storageClass).toBe('REDUCED_REDUNDANCY');
    expect(meta).toMatchObject({ contentType: 'text/plain', cacheControl: 'no-store', userMetadata: { owner: 'ada' } });
    expect((await readAll(await provider.open(bucket, 'meta/a.txt'))).toString()).toBe('hello');
  });

  it('stat reports md5 for a single-part object and the CRC32 the upload asked for, as lowercase hex', async () => {
    await put(provider, 'sums/x.txt', Buffer.from('checksum me'));
    const meta = await provider.stat(bucket, 'sums/x.txt');
    expect(meta.checksums.md5).toBe(createHash('md5').update('checksum me').digest('hex'));
    expect(meta.checksums.crc32).toBe((zlib.crc32(Buffer.from('checksum me')) >>> 0).toString(16).padStart(8, '0'));
  });

  it('an account in "when_required" checksum mode (for stores without flexible checksums) writes single and multipart objects', async () => {
    const strict = createS3Provider({ ...settingsFor(minio), checksumMode: 'when_required' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
    try {
      for (const size of [1000, 7 * MiB]) {
        await strict.put(bucket, `required/${size}.bin`, patternStream(size, 21), { size });
        expect(await md5OfStream(await strict.open(bucket, `required/${size}.bin`))).toEqual({ size, md5: await md5OfPattern(size, 21) });
      }
    } finally {
      await strict.close?.();
    }
  });

  it('an account limited to one bucket lists only that bucket', async () => {
    const limited = createS3Provider({ ...settingsFor(minio), bucket }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    try {
      expect(await limited.listBuckets()).toEqual([{ name: bucket }]);
      await expect(limited.list('some-other-bucket', {})).rejects.toMatchObject({ code: 'invalid_input' });
    } finally {
      await limited.close?.();
    }
  });

  it('a missing bucket is not_found and names the bucket', async () => {
    await expect(provider.list('sky-no-such-bucket-zz', { prefix: '' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('sky-no-such-bucket-zz') });
  });
});

/**
 * Faults MinIO will not produce on demand (SlowDown with Retry-After, a 500), served by a tiny HTTP endpoint on
 * loopback: the SDK and its retry logic run for real, only the server's answer is fixed.
 */
describe('s3 provider against a faulty endpoint', () => {
  let server: Server;
  let endpoint: string;
  let answer: { status: number; code: string; retryAfter?: string } = { status: 503, code: 'SlowDown' };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/xml' };
      if (answer.retryAfter) headers['retry-after'] = answer.retryAfter;
      res.writeHead(answer.status, headers);
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>fault on purpose</Message></Error>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const provider = (): Provider =>
    createS3Provider({ kind: 's3', name: 'faulty', region: 'us-east-1', endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: 'AKIAFAULTY', secretAccessKey: 'faulty-secret-value' });

  it('SlowDown is throttled and carries Retry-After', async () => {
    answer = { status: 503, code: 'SlowDown', retryAfter: '2' };
    const p = provider();
    try {
      await expect(p.listBuckets()).rejects.toMatchObject({ code: 'throttled', retryAfterMs: 2000 });
    } finally {
      await p.close?.();
    }
  });

  it('an internal server error is retryable', async () => {
    answer = { status: 500, code: 'InternalError' };
    const p = provider();
    try {
      await expect(p.stat('bucket', 'key')).rejects.toMatchObject({ code: 'retryable' });
    } finally {
      await p.close?.();
    }
  });
});
