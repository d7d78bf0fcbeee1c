import { Agent } from 'node:http';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobServiceClient } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import type { AccountInput } from '../../shared/accounts';
import { mapLimit, patternStream } from '../../electron/engine/test-support/conformance/data';
import type { AzuriteHandle, FakeGcsHandle, MinioHandle } from '../emulators/emulators';
import { tarOf } from './tar';

/**
 * Sample data for `npm run demo` and the e2e specs, written with the providers' own SDKs so that what the app
 * lists is what a real bucket would hold: nested prefixes, varied content types, odd names, a few large files,
 * and (on MinIO) a bucket of 100,000 small keys for the listing and paging paths.
 */
export const DEMO_BUCKETS = { s3: 'demo-photos', gcs: 'demo-archive', azure: 'demo-backups', manyKeys: 'many-keys' } as const;
export const DEMO_ACCOUNTS = { s3: 'minio', gcs: 'gcs', azure: 'azurite' } as const;
export const MANY_KEYS_COUNT = 100_000;

export interface Emulators {
  minio: MinioHandle;
  gcs: FakeGcsHandle;
  azurite: AzuriteHandle;
}

export interface SampleObject {
  key: string;
  contentType: string;
  size: number;
  /** Deterministic content: the same key always has the same bytes (tests can check them). */
  body(): Buffer;
}

export interface LargeObject {
  key: string;
  contentType: string;
  size: number;
  seed: number;
}

const MiB = 1024 * 1024;

function textBody(key: string, size: number): Buffer {
  const line = `${key}: sample line for Skyferry's demo data.\n`;
  return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size));
}

function binaryBody(seed: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** About 300 small objects over nested prefixes; `tag` varies names per provider so a copy is visible. */
export function sampleObjects(tag: string): SampleObject[] {
  const out: SampleObject[] = [];
  const add = (key: string, contentType: string, size: number, binary = false): void => {
    const seed = out.length + 1;
    out.push({ key, contentType, size, body: () => (binary ? binaryBody(seed, size) : textBody(key, size)) });
  };
  for (const year of ['2023', '2024']) {
    for (const q of ['q1', 'q2', 'q3', 'q4']) {
      for (let i = 1; i <= 8; i++) {
        add(`documents/${year}/${q}/report-${i}.pdf`, 'application/pdf', 4_000 + i * 1_500, true);
        add(`documents/${year}/${q}/notes-${i}.txt`, 'text/plain; charset=utf-8', 300 + i * 40);
      }
    }
  }
  for (const album of ['cats', 'harbour', 'mountains', 'family 2024']) {
    for (let i = 1; i <= 25; i++) {
      const n = String(i).padStart(3, '0');
      add(`images/${album}/IMG_${n}.jpg`, 'image/jpeg', 20_000 + i * 3_000, true);
      if (i % 5 === 0) add(`images/${album}/IMG_${n}.png`, 'image/png', 50_000 + i * 1_000, true);
    }
  }
  for (let i = 1; i <= 20; i++) {
    add(`data/csv/table-${i}.csv`, 'text/csv', 2_000 + i * 500);
    add(`data/json/record-${i}.json`, 'application/json', 600 + i * 20);
  }
  for (let shard = 0; shard < 4; shard++) {
    for (let i = 0; i < 5; i++) add(`logs/app/2024/06/0${shard + 1}/part-${i}.log.gz`, 'application/gzip', 8_000 + i * 100, true);
  }
  add('web/index.html', 'text/html; charset=utf-8', 1_200);
  add('web/styles.css', 'text/css', 900);
  add('web/app.js', 'text/javascript', 2_400);
  add('web/logo.svg', 'image/svg+xml', 700);
  add(`README-${tag}.md`, 'text/markdown', 1_500);
  add('hello.txt', 'text/plain; charset=utf-8', 60);
  add('empty.txt', 'text/plain', 0);
  add('notes/Résumé final.txt', 'text/plain; charset=utf-8', 400);
  add('notes/日本語のメモ.txt', 'text/plain; charset=utf-8', 400);
  add('notes/a+b #1 (copy) 100%.txt', 'text/plain; charset=utf-8', 200);
  // Markup in a name must show as text (no '/' inside, so it stays one file name).
  add('notes/<img src=x onerror=alert(2)> & "quotes".txt', 'text/plain; charset=utf-8', 120);
  return out;
}

/** A few larger files per provider (multipart / block / resumable paths and visible progress). */
export function largeObjects(kind: 's3' | 'gcs' | 'azure'): LargeObject[] {
  switch (kind) {
    case 's3':
      return [
        { key: 'media/video/launch-keynote.mp4', contentType: 'video/mp4', size: 48 * MiB, seed: 101 },
        { key: 'backups/db-2024-06.tar.gz', contentType: 'application/gzip', size: 20 * MiB, seed: 102 },
      ];
    case 'gcs':
      return [{ key: 'datasets/genome-sample.bin', contentType: 'application/octet-stream', size: 32 * MiB, seed: 201 }];
    case 'azure':
      return [{ key: 'vm/disk-snapshot.vhd', contentType: 'application/octet-stream', size: 24 * MiB, seed: 301 }];
  }
}

export function s3Client(m: MinioHandle, maxSockets = 64): S3Client {
  return new S3Client({
    region: m.region,
    endpoint: m.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey },
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets }) },
  });
}

export function gcsClient(g: FakeGcsHandle): Storage {
  return new Storage({ projectId: g.projectId, apiEndpoint: g.endpoint, useAuthWithCustomEndpoint: false });
}

export function azureClient(a: AzuriteHandle): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(a.connectionString);
}

/** The three emulator accounts as the account dialog would send them (`accounts:save`). */
export function demoAccounts(e: Emulators): AccountInput[] {
  return [
    {
      kind: 's3',
      name: DEMO_ACCOUNTS.s3,
      region: e.minio.region,
      endpoint: e.minio.endpoint,
      forcePathStyle: true,
      checksumMode: 'when_supported',
      secrets: { accessKeyId: e.minio.accessKeyId, secretAccessKey: e.minio.secretAccessKey },
    },
    { kind: 'gcs', name: DEMO_ACCOUNTS.gcs, projectId: e.gcs.projectId, endpoint: e.gcs.endpoint },
    {
      kind: 'azure',
      name: DEMO_ACCOUNTS.azure,
      auth: 'connectionString',
      accountName: e.azurite.accountName,
      endpoint: e.azurite.endpoint,
      secrets: { connectionString: e.azurite.connectionString },
    },
  ];
}

async function ensureS3Bucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
  }
}

export type Log = (line: string) => void;

async function seedS3(m: MinioHandle, large: boolean): Promise<number> {
  const client = s3Client(m, 16);
  await ensureS3Bucket(client, DEMO_BUCKETS.s3);
  const objects = sampleObjects('minio');
  await mapLimit(objects, 16, (o) =>
    client.send(new PutObjectCommand({ Bucket: DEMO_BUCKETS.s3, Key: o.key, Body: o.body(), ContentType: o.contentType, Metadata: { source: 'skyferry-demo' } })),
  );
  if (large) {
    for (const o of largeObjects('s3')) {
      await new Upload({
        client,
        params: { Bucket: DEMO_BUCKETS.s3, Key: o.key, Body: patternStream(o.size, o.seed), ContentType: o.contentType },
        partSize: 8 * MiB,
        queueSize: 4,
      }).done();
    }
  }
  client.destroy();
  return objects.length;
}

async function seedGcs(g: FakeGcsHandle, large: boolean): Promise<number> {
  const storage = gcsClient(g);
  const bucket = storage.bucket(DEMO_BUCKETS.gcs);
  const [exists] = await bucket.exists();
  if (!exists) await storage.createBucket(DEMO_BUCKETS.gcs);
  const objects = sampleObjects('gcs');
  await mapLimit(objects, 8, (o) =>
    bucket.file(o.key).save(o.body(), { resumable: false, contentType: o.contentType, metadata: { metadata: { source: 'skyferry-demo' } } }),
  );
  if (large) {
    for (const o of largeObjects('gcs')) {
      await new Promise<void>((resolve, reject) => {
        patternStream(o.size, o.seed)
          .pipe(bucket.file(o.key).createWriteStream({ resumable: true, contentType: o.contentType }))
          .on('finish', resolve)
          .on('error', reject);
      });
    }
  }
  return objects.length;
}

async function seedAzure(a: AzuriteHandle, large: boolean): Promise<number> {
  const container = azureClient(a).getContainerClient(DEMO_BUCKETS.azure);
  await container.createIfNotExists();
  const objects = sampleObjects('azure');
  await mapLimit(objects, 8, (o) =>
    container.getBlockBlobClient(o.key).uploadData(o.body(), { blobHTTPHeaders: { blobContentType: o.contentType }, metadata: { source: 'skyferry_demo' } }),
  );
  if (large) {
    for (const o of largeObjects('azure')) {
      await container.getBlockBlobClient(o.key).uploadStream(patternStream(o.size, o.seed), 4 * MiB, 4, { blobHTTPHeaders: { blobContentType: o.contentType } });
    }
  }
  return objects.length;
}

/** The sample buckets on all three emulators, in parallel. Returns the object count per provider. */
export async function seedSample(e: Emulators, options: { large?: boolean; log?: Log } = {}): Promise<Record<'s3' | 'gcs' | 'azure', number>> {
  const large = options.large ?? true;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const [s3, gcs, azure] = await Promise.all([seedS3(e.minio, large), seedGcs(e.gcs, large), seedAzure(e.azurite, large)]);
  log(`sample data: ${s3 + gcs + azure} objects${large ? ' + 4 large files' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { s3, gcs, azure };
}

export function manyKeysName(i: number): string {
  return `file-${String(i).padStart(6, '0')}.txt`;
}

/**
 * `many-keys` on MinIO: `count` small keys flat at the bucket root (the worst case for one listing). They go in as
 * tar batches that MinIO unpacks itself (snowball auto-extract): one signed PUT per 5,000 keys rather than one per
 * key, which on a busy 2-core machine is the difference between seconds and many minutes. Returns the seconds taken.
 */
export async function seedManyKeys(m: MinioHandle, options: { count?: number; batch?: number; concurrency?: number; log?: Log } = {}): Promise<number> {
  const count = options.count ?? MANY_KEYS_COUNT;
  const batch = options.batch ?? 5_000;
  const log = options.log ?? (() => undefined);
  const client = s3Client(m, 4);
  await ensureS3Bucket(client, DEMO_BUCKETS.manyKeys);
  const started = Date.now();
  let done = 0;
  const batches = Array.from({ length: Math.ceil(count / batch) }, (_, b) => b);
  try {
    await mapLimit(batches, options.concurrency ?? 2, async (b) => {
      const files = [];
      for (let i = b * batch; i < Math.min(count, (b + 1) * batch); i++) files.push({ name: manyKeysName(i), body: Buffer.from(`key ${i}\n`) });
      await client.send(
        new PutObjectCommand({
          Bucket: DEMO_BUCKETS.manyKeys,
          Key: `seed-batch-${b}.tar`,
          Body: tarOf(files),
          ContentType: 'application/x-tar',
          Metadata: { 'snowball-auto-extract': 'true' },
        }),
      );
      done += files.length;
      log(`many-keys: ${done.toLocaleString('en-US')}/${count.toLocaleString('en-US')}`);
    });
  } finally {
    client.destroy();
  }
  const secs = (Date.now() - started) / 1000;
  log(`many-keys: ${count.toLocaleString('en-US')} keys in ${secs.toFixed(1)} s (${Math.round(count / secs)}/s)`);
  return secs;
}
