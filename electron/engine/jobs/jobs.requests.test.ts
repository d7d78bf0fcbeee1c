import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, startMinio, type AzuriteHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createAzureProvider } from '../providers/azure/azure.provider';
import type { Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { JobManager } from './job-manager';
import { counted } from '../test-support/counted';
import { resolverFor } from '../test-support/resolver';

const FILES = 24;
let minio: MinioHandle;
let az: AzuriteHandle;
let s3sdk: S3Client;
let azsdk: BlobServiceClient;
let s3: Provider;
let azure: Provider;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const body = (i: number, v = 0): Buffer => Buffer.from(`file ${i} version ${v} `.repeat(100 + i));

async function blobMd5(container: string, key: string): Promise<string> {
  return md5(await azsdk.getContainerClient(container).getBlobClient(key).downloadToBuffer());
}

beforeAll(async () => {
  [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  s3sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  azsdk = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  s3 = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
  azure = createAzureProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint }, { accountKey: az.accountKey });
  await s3.createBucket('src');
  await azure.createBucket('dst');
  for (let i = 0; i < FILES; i++) await s3sdk.send(new PutObjectCommand({ Bucket: 'src', Key: `d/f${i}.txt`, Body: body(i), ContentType: 'text/plain', Metadata: { owner: `n${i}` } }));
}, 600_000);

afterAll(async () => {
  await Promise.all([s3?.close?.(), azure?.close?.()]);
  s3sdk?.destroy();
  await Promise.all([minio?.stop(), az?.stop()]);
});

describe('requests per file (MinIO -> Azurite)', () => {
  it('a copy lists both sides once, then only GETs and PUTs: no HEAD per file, and every blob verifies', async () => {
    const src = counted(s3);
    const dst = counted(azure);
    for (const round of [1, 2]) {
      // Round 2 overwrites what round 1 wrote: the destination listing says each blob exists, still no HEAD.
      src.counts.stat = dst.counts.stat = 0;
      const m = new JobManager({ resolve: resolverFor({ minio: src.provider, azurite: dst.provider }) });
      // Round 2 replaces on purpose.
      const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/d/'], destination: 'az://azurite/dst/out/', options: { overwrite: 'always' } });
      await m.waitForIdle();
      const d = m.get(id).detail();
      expect(d.state, `round ${round}`).toBe('completed');
      expect(d.files.every((f) => f.checksum === 'md5' && f.attempts === 1)).toBe(true);
      expect(src.counts.stat).toBe(0);
      expect(dst.counts.stat).toBe(0);
      await m.close();
    }
    expect(src.counts.open).toBe(2 * FILES);
    expect(dst.counts.put).toBe(2 * FILES);
    for (let i = 0; i < FILES; i++) expect(await blobMd5('dst', `out/d/f${i}.txt`)).toBe(md5(body(i)));
    // The GET's own headers carried the content type and metadata over.
    const props = await azsdk.getContainerClient('dst').getBlobClient('out/d/f3.txt').getProperties();
    expect(props.contentType).toBe('text/plain');
    expect(props.metadata).toEqual({ owner: 'n3' });
  });

  it("onto existing files, 'never' asks the source nothing and 'keepBoth' finds free names in the listing", async () => {
    // The destination of the first case holds every file.
    for (const overwrite of ['never', 'keepBoth'] as const) {
      const src = counted(s3);
      const dst = counted(azure);
      const m = new JobManager({ resolve: resolverFor({ minio: src.provider, azurite: dst.provider }) });
      const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/d/'], destination: 'az://azurite/dst/out/', options: { overwrite } });
      await m.waitForIdle();
      const d = m.get(id).detail();
      expect(d.state, overwrite).toBe('completed');
      await m.close();
      expect(src.counts.stat, overwrite).toBe(0);
      expect(dst.counts.stat, overwrite).toBe(0);
      if (overwrite === 'never') {
        expect(d.files.every((f) => f.state === 'skipped')).toBe(true);
        expect(src.counts.open).toBe(0);
      } else {
        // One read and one write per file, to its "(1)" name.
        expect(src.counts.open).toBe(FILES);
        expect(dst.counts.put).toBe(FILES);
        expect(await blobMd5('dst', 'out/d/f3 (1).txt')).toBe(md5(body(3)));
      }
    }
  });

  it('a source rewritten after the listing fails the conditional read and is copied again as it is now', async () => {
    let changed = false;
    const src = counted(s3, async (key) => {
      if (key !== 'd/f5.txt' || changed) return;
      changed = true;
      await s3sdk.send(new PutObjectCommand({ Bucket: 'src', Key: key, Body: body(5, 1) }));
    });
    const m = new JobManager({ resolve: resolverFor({ minio: src.provider, azurite: azure }) });
    const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/d/'], destination: 'az://azurite/dst/again/' });
    await m.waitForIdle();
    const d = m.get(id).detail();
    expect(d.state).toBe('completed');
    expect(d.files.find((f) => f.source.endsWith('/f5.txt'))?.attempts).toBe(2);
    expect(await blobMd5('dst', 'again/d/f5.txt')).toBe(md5(body(5, 1)));
    expect(await blobMd5('dst', 'again/d/f6.txt')).toBe(md5(body(6)));
    await m.close();
  });
});
