import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Settings } from '../../../../shared/accounts';
import { startMinio, type MinioHandle } from '../../../../tools/emulators/emulators';
import { freePort } from '../../../../tools/emulators/process';
import { md5OfPattern, md5OfStream, patternStream, readAll } from '../conformance/data';
import { runConformance, type ConformanceFixture } from '../conformance/suite';
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

  it('stat reports md5 for a single-part object and the CRC32C the upload asked for, as lowercase hex', async () => {
    await put(provider, 'sums/x.txt', Buffer.from('checksum me'));
    const meta = await provider.stat(bucket, 'sums/x.txt');
    expect(meta.checksums.md5).toBe(createHash('md5').update('checksum me').digest('hex'));
    expect(meta.checksums.crc32c).toMatch(/^[0-9a-f]{8}$/);
  });

  it('a missing bucket is not_found and names the bucket', async () => {
    await expect(provider.list('sky-no-such-bucket-zz', { prefix: '' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('sky-no-such-bucket-zz') });
  });
});
