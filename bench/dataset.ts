import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ContainerClient } from '@azure/storage-blob';
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const MiB = 1024 * 1024;

export interface DataSet {
  bigCount: number;
  bigSize: number;
  smallCount: number;
  smallSize: number;
}

export const FULL: DataSet = { bigCount: 8, bigSize: 128 * MiB, smallCount: 2000, smallSize: 4096 };
export const QUICK: DataSet = { bigCount: 8, bigSize: 16 * MiB, smallCount: 200, smallSize: 4096 };

export interface DataFile {
  /** Relative to the data set's root folder (`data/` in the source bucket). */
  rel: string;
  size: number;
  seed: number;
}

export function filesOf(set: DataSet): DataFile[] {
  const out: DataFile[] = [];
  for (let i = 0; i < set.bigCount; i++) out.push({ rel: `big/big-${String(i).padStart(2, '0')}.bin`, size: set.bigSize, seed: 1 + i });
  for (let i = 0; i < set.smallCount; i++) out.push({ rel: `small/s-${String(i).padStart(4, '0')}.bin`, size: set.smallSize, seed: 1000 + i });
  return out;
}

export function totalBytes(set: DataSet): number {
  return set.bigCount * set.bigSize + set.smallCount * set.smallSize;
}

/**
 * Deterministic, incompressible bytes: the AES-128-CTR keystream of a key derived from the seed. Fast enough to
 * generate a GiB in a couple of seconds, and the same (seed, size) always gives the same bytes.
 */
export function contentStream(size: number, seed: number, chunk = 1 * MiB): Readable {
  const key = createHash('sha256').update(`skyferry-bench-${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(chunk);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, left);
      left -= n;
      this.push(cipher.update(n === chunk ? zeros : zeros.subarray(0, n)));
    },
  });
}

export function contentBuffer(size: number, seed: number): Buffer {
  const key = createHash('sha256').update(`skyferry-bench-${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

async function md5Of(stream: AsyncIterable<Buffer>): Promise<{ md5: string; size: number }> {
  const h = createHash('md5');
  let size = 0;
  for await (const b of stream) {
    h.update(b);
    size += b.length;
  }
  return { md5: h.digest('hex'), size };
}

export async function expectedMd5(f: DataFile): Promise<string> {
  return (await md5Of(contentStream(f.size, f.seed))).md5;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await fn(item);
      }
    }),
  );
}

/** Seeds the data set under `data/` with the plain SDK, as any other tool would have written it. */
export async function seed(client: S3Client, bucket: string, set: DataSet): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const files = filesOf(set);
  const big = files.filter((f) => f.rel.startsWith('big/'));
  const small = files.filter((f) => f.rel.startsWith('small/'));
  await mapLimit(big, 2, async (f) => {
    await new Upload({ client, params: { Bucket: bucket, Key: `data/${f.rel}`, Body: contentStream(f.size, f.seed) }, partSize: 16 * MiB, queueSize: 4 }).done();
  });
  await mapLimit(small, 16, async (f) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `data/${f.rel}`, Body: contentBuffer(f.size, f.seed), ContentLength: f.size }));
  });
}

export interface Verification {
  ok: boolean;
  count: number;
  bytes: number;
  problems: string[];
}

/**
 * Checks a destination container with the Azure SDK: every expected blob present with its size, nothing extra,
 * and the MD5 of the content of a few files (the first and last big one, three small ones) read back.
 */
export async function verifyContainer(container: ContainerClient, prefix: string, set: DataSet): Promise<Verification> {
  const files = filesOf(set);
  const want = new Map(files.map((f) => [`${prefix}${f.rel}`, f]));
  const problems: string[] = [];
  let count = 0;
  let bytes = 0;
  for await (const blob of container.listBlobsFlat()) {
    count++;
    const size = blob.properties.contentLength ?? 0;
    bytes += size;
    const f = want.get(blob.name);
    if (!f) problems.push(`unexpected blob ${blob.name}`);
    else if (f.size !== size) problems.push(`${blob.name}: ${size} bytes, expected ${f.size}`);
    want.delete(blob.name);
  }
  if (want.size > 0) problems.push(`${want.size} blobs missing (e.g. ${[...want.keys()].slice(0, 3).join(', ')})`);
  const bigs = files.filter((f) => f.rel.startsWith('big/'));
  const smalls = files.filter((f) => f.rel.startsWith('small/'));
  const sample = [bigs[0], bigs.at(-1), smalls[0], smalls[Math.floor(smalls.length / 2)], smalls.at(-1)].filter((f): f is DataFile => f !== undefined);
  for (const f of sample) {
    const name = `${prefix}${f.rel}`;
    try {
      const body = (await container.getBlobClient(name).download()).readableStreamBody;
      if (!body) throw new Error('no body');
      const got = await md5Of(body as AsyncIterable<Buffer>);
      if (got.md5 !== (await expectedMd5(f))) problems.push(`${name}: content MD5 differs`);
    } catch (e) {
      problems.push(`${name}: could not be read back (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const expectedBytes = totalBytes(set);
  if (count !== files.length) problems.push(`${count} blobs, expected ${files.length}`);
  if (bytes !== expectedBytes) problems.push(`${bytes} bytes in all, expected ${expectedBytes}`);
  return { ok: problems.length === 0, count, bytes, problems };
}
