/**
 * The destinations of the WAN pairs, one shape for each cloud: the engine's account, rclone's remote, an SDK client
 * to create, verify and drop a bucket, and the destination's own floor (bare SDK, data from memory).
 */
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { createHash } from 'node:crypto';
import type { AccountInput } from '../shared/accounts';
import type { AzuriteHandle, FakeGcsHandle, MinioHandle } from '../tools/emulators/emulators';
import { contentBuffer, expectedMd5, filesOf, totalBytes, type DataSet, type Verification } from './dataset';

const MiB = 1024 * 1024;

export interface Dest {
  kind: 's3' | 'gcs' | 'azure';
  /** As printed: "a second MinIO", "fake-gcs-server", "Azurite". */
  label: string;
  /** The engine's account name and URI scheme. */
  account: AccountInput;
  uri(bucket: string): string;
  /** rclone's `dst` remote as RCLONE_CONFIG_DST_* variables. */
  rclone: Record<string, string>;
  create(bucket: string): Promise<void>;
  /** Every object under `prefix` with its size, and the content MD5 of a few read back, against the data set. */
  verify(bucket: string, prefix: string, set: DataSet): Promise<Verification>;
  drop(bucket: string): Promise<void>;
  /** Uploads `set` from memory into `bucket` with the bare SDK, as many requests in flight as given. */
  floor(bucket: string, set: DataSet, inFlight: { files: number; partsPerFile: number; small: number }): Promise<void>;
  close(): void;
}

async function pool(n: number, count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, count) }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

async function md5(body: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const h = createHash('md5');
  for await (const b of body) h.update(b);
  return h.digest('hex');
}

/** Checks a listing against the data set, then the MD5 of the first and last big and three small files. */
async function check(listing: Array<{ name: string; size: number }>, prefix: string, set: DataSet, read: (name: string) => Promise<string>): Promise<Verification> {
  const files = filesOf(set);
  const want = new Map(files.map((f) => [`${prefix}${f.rel}`, f]));
  const problems: string[] = [];
  let bytes = 0;
  for (const o of listing) {
    bytes += o.size;
    const f = want.get(o.name);
    if (!f) problems.push(`unexpected object ${o.name}`);
    else if (f.size !== o.size) problems.push(`${o.name}: ${o.size} bytes, expected ${f.size}`);
    want.delete(o.name);
  }
  if (want.size > 0) problems.push(`${want.size} objects missing (e.g. ${[...want.keys()].slice(0, 3).join(', ')})`);
  const bigs = files.filter((f) => f.rel.startsWith('big/'));
  const smalls = files.filter((f) => f.rel.startsWith('small/'));
  const sample = [bigs[0], bigs.at(-1), smalls[0], smalls[Math.floor(smalls.length / 2)], smalls.at(-1)].filter((f) => f !== undefined);
  for (const f of new Set(sample)) {
    try {
      if ((await read(`${prefix}${f.rel}`)) !== (await expectedMd5(f))) problems.push(`${prefix}${f.rel}: content MD5 differs`);
    } catch (e) {
      problems.push(`${prefix}${f.rel}: could not be read back (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (bytes !== totalBytes(set)) problems.push(`${bytes} bytes in all, expected ${totalBytes(set)}`);
  return { ok: problems.length === 0, count: listing.length, bytes, problems };
}

/** The data set's bytes from memory: one buffer per size, so that the floor measures the destination, not a generator. */
function memoryData(set: DataSet): { big: Buffer; small: Buffer } {
  return { big: contentBuffer(set.bigSize, 1), small: contentBuffer(set.smallSize, 1000) };
}

export function s3Client(endpoint: string, m: MinioHandle): S3Client {
  return new S3Client({ region: m.region, endpoint, forcePathStyle: true, credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey }, maxAttempts: 5 });
}

/**
 * Each destination has two clients: `shaped` through the profile's proxies (the floor, which is measured) and
 * `s3`/`storage`/`svc` straight to the emulator (creating, verifying and dropping a bucket: thousands of requests that
 * measure nothing and would otherwise take minutes of the bench at 40 ms each).
 */
export function minioDest(m: MinioHandle, endpoint: string, name: string): Dest {
  const s3 = s3Client(m.endpoint, m);
  const shaped = s3Client(endpoint, m);
  return {
    kind: 's3',
    label: 'a second MinIO',
    account: { kind: 's3', name, region: m.region, endpoint, forcePathStyle: true, checksumMode: 'when_supported', secrets: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey } },
    uri: (bucket) => `s3://${name}/${bucket}/`,
    rclone: {
      RCLONE_CONFIG_DST_TYPE: 's3',
      RCLONE_CONFIG_DST_PROVIDER: 'Minio',
      RCLONE_CONFIG_DST_ENDPOINT: endpoint,
      RCLONE_CONFIG_DST_REGION: m.region,
      RCLONE_CONFIG_DST_ACCESS_KEY_ID: m.accessKeyId,
      RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: m.secretAccessKey,
    },
    create: async (bucket) => void (await s3.send(new CreateBucketCommand({ Bucket: bucket }))),
    verify: async (bucket, prefix, set) => {
      const listing: Array<{ name: string; size: number }> = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) listing.push({ name: o.Key ?? '', size: o.Size ?? 0 });
        token = page.NextContinuationToken;
      } while (token);
      return check(listing, prefix, set, async (key) => md5((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as AsyncIterable<Buffer>));
    },
    drop: async (bucket) => {
      for (;;) {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
        const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key ?? '' }));
        if (keys.length === 0) break;
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      }
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    },
    floor: async (bucket, set, n) => {
      const data = memoryData(set);
      await Promise.all([
        pool(n.files, set.bigCount, async (i) => {
          await new Upload({ client: shaped, params: { Bucket: bucket, Key: `floor/big-${i}`, Body: data.big }, partSize: 8 * MiB, queueSize: n.partsPerFile }).done();
        }),
        pool(n.small, set.smallCount, async (i) => {
          await shaped.send(new PutObjectCommand({ Bucket: bucket, Key: `floor/s-${i}`, Body: data.small, ContentLength: data.small.length }));
        }),
      ]);
    },
    close: () => {
      s3.destroy();
      shaped.destroy();
    },
  };
}

export function gcsDest(g: FakeGcsHandle, endpoint: string, name: string): Dest {
  const storage = new Storage({ apiEndpoint: g.endpoint, projectId: g.projectId, useAuthWithCustomEndpoint: false, retryOptions: { maxRetries: 5 } });
  const shaped = new Storage({ apiEndpoint: endpoint, projectId: g.projectId, useAuthWithCustomEndpoint: false, retryOptions: { maxRetries: 5 } });
  return {
    kind: 'gcs',
    label: 'fake-gcs-server',
    account: { kind: 'gcs', name, projectId: g.projectId, endpoint },
    uri: (bucket) => `gs://${name}/${bucket}/`,
    rclone: {
      RCLONE_CONFIG_DST_TYPE: 'google cloud storage',
      RCLONE_CONFIG_DST_ANONYMOUS: 'true',
      RCLONE_CONFIG_DST_PROJECT_NUMBER: g.projectId,
      RCLONE_CONFIG_DST_ENDPOINT: `${endpoint}/storage/v1/`,
    },
    create: async (bucket) => void (await storage.createBucket(bucket)),
    verify: async (bucket, prefix, set) => {
      const [files] = await storage.bucket(bucket).getFiles({ prefix, autoPaginate: true });
      const listing = files.map((f) => ({ name: f.name, size: Number(f.metadata.size ?? 0) }));
      return check(listing, prefix, set, async (key) => md5(storage.bucket(bucket).file(key).createReadStream({ validation: false })));
    },
    drop: async (bucket) => {
      await storage.bucket(bucket).deleteFiles({ force: true });
      await storage.bucket(bucket).delete();
    },
    floor: async (bucket, set, n) => {
      const data = memoryData(set);
      // One stream per object (GCS has no parallel parts without composing): as many objects at once as asked.
      await Promise.all([
        pool(n.files, set.bigCount, async (i) => {
          await shaped.bucket(bucket).file(`floor/big-${i}`).save(data.big, { resumable: false, validation: false });
        }),
        pool(n.small, set.smallCount, async (i) => {
          await shaped.bucket(bucket).file(`floor/s-${i}`).save(data.small, { resumable: false, validation: false });
        }),
      ]);
    },
    close: () => undefined,
  };
}

export function azureDest(az: AzuriteHandle, endpoint: string, name: string): Dest {
  const svc = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  const shaped = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  return {
    kind: 'azure',
    label: 'Azurite',
    account: { kind: 'azure', name, auth: 'sharedKey', accountName: az.accountName, endpoint, secrets: { accountKey: az.accountKey } },
    uri: (bucket) => `az://${name}/${bucket}/`,
    rclone: {
      RCLONE_CONFIG_DST_TYPE: 'azureblob',
      RCLONE_CONFIG_DST_ACCOUNT: az.accountName,
      RCLONE_CONFIG_DST_KEY: az.accountKey,
      RCLONE_CONFIG_DST_ENDPOINT: endpoint,
    },
    create: async (bucket) => void (await svc.getContainerClient(bucket).create()),
    verify: async (bucket, prefix, set) => {
      const c = svc.getContainerClient(bucket);
      const listing: Array<{ name: string; size: number }> = [];
      for await (const b of c.listBlobsFlat({ prefix })) listing.push({ name: b.name, size: b.properties.contentLength ?? 0 });
      return check(listing, prefix, set, async (blob) => {
        const body = (await c.getBlobClient(blob).download()).readableStreamBody;
        if (!body) throw new Error('no body');
        return md5(body as AsyncIterable<Buffer>);
      });
    },
    drop: async (bucket) => void (await svc.getContainerClient(bucket).delete()),
    floor: async (bucket, set, n) => {
      const data = memoryData(set);
      const c = shaped.getContainerClient(bucket);
      await Promise.all([
        pool(n.files, set.bigCount, async (i) => {
          await c.getBlockBlobClient(`floor/big-${i}`).uploadData(data.big, { blockSize: 8 * MiB, concurrency: n.partsPerFile, maxSingleShotSize: 8 * MiB });
        }),
        pool(n.small, set.smallCount, async (i) => {
          await c.getBlockBlobClient(`floor/s-${i}`).upload(data.small, data.small.length);
        }),
      ]);
    },
    close: () => undefined,
  };
}
