import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingUpload, Result } from '../../../shared/contract';
import { startAzurite, startMinio, type AzuriteHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createFileKeyCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine } from '../engine';

/**
 * uploads:listPending / uploads:abort through the engine as the renderer calls them, against MinIO and Azurite.
 * The abandoned uploads are made with the SDKs (as a crashed tool would leave them) and checked with the SDKs.
 */
let base: string;
let engine: Engine;
let minio: MinioHandle;
let azurite: AzuriteHandle;
let s3: S3Client;
let blob: BlobServiceClient;

async function call<T>(channel: string, request: unknown): Promise<T> {
  const r = await engine.invoke(channel, request);
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

function failure(r: Result<unknown>): { code: string; message: string } {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.error;
}

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-uploads-'));
  [minio, azurite] = await Promise.all([startMinio(), startAzurite()]);
  s3 = new S3Client({
    region: minio.region,
    endpoint: minio.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  });
  blob = BlobServiceClient.fromConnectionString(azurite.connectionString);
  engine = await createEngine({ dataDir: path.join(base, 'data'), cipher: await createFileKeyCipher(path.join(base, 'keys', 'secrets.key')) });
  await call('accounts:save', {
    account: {
      kind: 's3', name: 'minio', endpoint: minio.endpoint, region: minio.region, forcePathStyle: true,
      secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    },
  });
  await call('accounts:save', {
    account: { kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: azurite.accountName, endpoint: azurite.endpoint, secrets: { accountKey: azurite.accountKey } },
  });
  await mkdir(path.join(base, 'disk', 'folder'), { recursive: true });
  await call('accounts:save', { account: { kind: 'local', name: 'disk', root: path.join(base, 'disk') } });
});

afterAll(async () => {
  await engine?.close();
  s3?.destroy();
  await Promise.all([minio?.stop(), azurite?.stop()]);
  if (base) await rm(base, { recursive: true, force: true });
});

describe('uploads channels on MinIO', () => {
  it('lists an abandoned multipart upload, aborts it, and ListMultipartUploads is then empty', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'stale' }));
    const before = Date.now();
    const key = 'backups/2024 dump (1).tar';
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'stale', Key: key }));
    await s3.send(new UploadPartCommand({ Bucket: 'stale', Key: key, UploadId: created.UploadId, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024, 3) }));
    const second = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'stale', Key: 'other.bin' }));

    const listed = await call<PendingUpload[]>('uploads:listPending', { account: 'minio', bucket: 'stale' });
    expect(listed.map((u) => [u.key, u.uploadId])).toEqual(
      expect.arrayContaining([
        [key, created.UploadId],
        ['other.bin', second.UploadId],
      ]),
    );
    expect(listed).toHaveLength(2);
    const mine = listed.find((u) => u.key === key);
    // MinIO reports the start time; it is the time we created it (to the second).
    expect(Date.parse(mine?.initiated ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);

    expect(await call('uploads:abort', { account: 'minio', bucket: 'stale', uploads: [mine] })).toEqual({ aborted: 1, failed: [] });
    const left = await call<PendingUpload[]>('uploads:listPending', { account: 'minio', bucket: 'stale' });
    expect(left.map((u) => u.key)).toEqual(['other.bin']);

    expect(await call('uploads:abort', { account: 'minio', bucket: 'stale', uploads: left })).toEqual({ aborted: 1, failed: [] });
    expect(await call('uploads:listPending', { account: 'minio', bucket: 'stale' })).toEqual([]);
    const sdk = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'stale' }));
    expect(sdk.Uploads ?? []).toEqual([]);
  });

  it('a missing bucket is not_found, and a bad upload id is reported per upload without stopping the rest', async () => {
    expect(failure(await engine.invoke('uploads:listPending', { account: 'minio', bucket: 'no-such-bucket' })).code).toBe('not_found');
    await s3.send(new CreateBucketCommand({ Bucket: 'mixed' }));
    const real = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mixed', Key: 'real.bin' }));
    const result = await call<{ aborted: number; failed: Array<{ key: string; message: string }> }>('uploads:abort', {
      account: 'minio',
      bucket: 'no-such-bucket',
      uploads: [{ key: 'real.bin', uploadId: real.UploadId }],
    });
    expect(result.aborted).toBe(0);
    expect(result.failed).toEqual([expect.objectContaining({ key: 'real.bin', message: expect.stringMatching(/no-such-bucket/) })]);
    // The upload in the right bucket was not touched.
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'mixed' }))).Uploads?.map((u) => u.UploadId)).toEqual([real.UploadId]);
  });
});

describe('uploads channels on Azurite', () => {
  it('lists blocks staged but never committed, aborts them, and the committed blob stays', async () => {
    const c = blob.getContainerClient('stale');
    await c.create();
    await c.getBlockBlobClient('crashed/video.mp4').stageBlock(Buffer.from('block-000').toString('base64'), Buffer.from('abc'), 3);
    await c.getBlockBlobClient('kept.txt').upload('kept', 4);

    const listed = await call<PendingUpload[]>('uploads:listPending', { account: 'azurite', bucket: 'stale' });
    expect(listed.map((u) => u.key)).toEqual(['crashed/video.mp4']);
    expect(await call('uploads:abort', { account: 'azurite', bucket: 'stale', uploads: listed })).toEqual({ aborted: 1, failed: [] });
    expect(await call('uploads:listPending', { account: 'azurite', bucket: 'stale' })).toEqual([]);
    // Azure itself lists no trace of the blob any more, committed or not.
    const names: string[] = [];
    for await (const item of c.listBlobsFlat({ includeUncommitedBlobs: true })) names.push(item.name);
    expect(names).toEqual(['kept.txt']);
    expect((await c.getBlobClient('kept.txt').getProperties()).contentLength).toBe(4);
  });
});

describe('uploads channels where the backend has none', () => {
  it('a local folder answers unsupported with a clear message', async () => {
    const err = failure(await engine.invoke('uploads:listPending', { account: 'disk', bucket: 'folder' }));
    expect(err).toEqual({ code: 'unsupported', message: expect.stringMatching(/^disk keeps no unfinished uploads/) });
    const abort = failure(await engine.invoke('uploads:abort', { account: 'disk', bucket: 'folder', uploads: [{ key: 'a', uploadId: 'x' }] }));
    expect(abort.code).toBe('unsupported');
  });

  it('an unknown account is not_found, an empty abort list is invalid_input', async () => {
    expect(failure(await engine.invoke('uploads:listPending', { account: 'nobody', bucket: 'b' })).code).toBe('not_found');
    expect(failure(await engine.invoke('uploads:abort', { account: 'minio', bucket: 'stale', uploads: [] })).code).toBe('invalid_input');
  });
});
