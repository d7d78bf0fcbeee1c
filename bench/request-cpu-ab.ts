/**
 * Paired A/B of SDK client set-ups for one small request, in one process, rounds interleaved (A B A B ...), so that
 * the load of a shared machine falls on both alike. Mirrors what the providers send: an S3 GetObject with If-Match
 * and ChecksumMode (read to the end) and an Azure Put Blob of 4 KiB with Content-MD5, concurrency 16.
 * Variants: the S3 logger with and without debug/info, disableHostPrefix, and the SDK's handler cache
 * (cacheMiddleware, which applies only to a send without per-call options, i.e. without an abort signal: measured to
 * size what the providers' per-call { abortSignal } costs); Azure with a ContainerClient per call or kept.
 *
 *   npx tsx bench/request-cpu-ab.ts [--files 1000] [--pairs 6] [--only s3|azure]
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { startAzurite, startMinio } from '../tools/emulators/emulators';
import { arg } from './cli-arg';

const FILES = Number(arg('files', '1000'));
const PAIRS = Number(arg('pairs', '6'));
const ONLY = arg('only', '');
const CONCURRENCY = 16;
const SIZE = 4096;

async function pool(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < n; i = next++) await fn(i);
    }),
  );
}

async function cpuPerFile(fn: (i: number) => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  await pool(FILES, fn);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / FILES;
}

async function compare(title: string, variants: Record<string, (i: number) => Promise<void>>): Promise<void> {
  const names = Object.keys(variants);
  for (const n of names) for (let w = 0; w < 2; w++) await pool(FILES, variants[n] as (i: number) => Promise<void>);
  const results: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let p = 0; p < PAIRS; p++) {
    // Alternate the order too, so that neither variant always runs first.
    const order = p % 2 === 0 ? names : [...names].reverse();
    for (const n of order) results[n]?.push(await cpuPerFile(variants[n] as (i: number) => Promise<void>));
  }
  const base = results[names[0] as string] as number[];
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  for (const n of names) {
    const xs = results[n] as number[];
    const diffs = xs.map((x, i) => x - (base[i] ?? 0)).sort((a, b) => a - b);
    console.log(
      `${title} ${n.padEnd(28)} median ${med(xs).toFixed(3)} ms/file [${Math.min(...xs).toFixed(3)}..${Math.max(...xs).toFixed(3)}]` +
        (n === names[0] ? '' : `  paired diff vs ${names[0]}: median ${med(diffs).toFixed(3)} [${diffs[0]?.toFixed(3)}..${diffs[diffs.length - 1]?.toFixed(3)}]`),
    );
  }
}

async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

async function main(): Promise<void> {
  const [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  try {
    const bucket = `ab-${Date.now().toString(36)}`;
    const data = randomBytes(SIZE);
    const md5 = createHash('md5').update(data).digest();
    const key = (i: number): string => `f/${String(i).padStart(5, '0')}.bin`;

    if (ONLY !== 'azure') {
      const base: S3ClientConfig = {
        region: minio.region,
        endpoint: minio.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
        requestChecksumCalculation: 'WHEN_SUPPORTED',
        responseChecksumValidation: 'WHEN_SUPPORTED',
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000, httpAgent: { keepAlive: true, maxSockets: 64 }, httpsAgent: { keepAlive: true, maxSockets: 64 } },
      };
      const seed = new S3Client(base);
      await seed.send(new CreateBucketCommand({ Bucket: bucket }));
      const etags: string[] = [];
      await pool(FILES, async (i) => {
        etags[i] = (await seed.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: data }))).ETag ?? '';
      });
      const noop = (): undefined => undefined;
      const clients: Record<string, S3ClientConfig> = {
        'logger debug+info (now)': { ...base, logger: { debug: noop, info: noop, warn: noop, error: noop } },
        'logger warn+error only': { ...base, logger: { warn: noop, error: noop } as unknown as S3ClientConfig['logger'] },
        '+ disableHostPrefix': { ...base, logger: { warn: noop, error: noop } as unknown as S3ClientConfig['logger'], disableHostPrefix: true },
        '+ cacheMiddleware, no signal': { ...base, logger: { warn: noop, error: noop } as unknown as S3ClientConfig['logger'], cacheMiddleware: true },
      };
      const variants: Record<string, (i: number) => Promise<void>> = {};
      for (const [name, config] of Object.entries(clients)) {
        const client = new S3Client(config);
        // The handler cache works only for a send without options (no abort signal): measured to size what it would save.
        const options = config.cacheMiddleware ? undefined : () => ({ abortSignal: new AbortController().signal });
        variants[name] = async (i) => {
          const command = new GetObjectCommand({ Bucket: bucket, Key: key(i), IfMatch: etags[i], ChecksumMode: 'ENABLED' });
          const out = options ? await client.send(command, options()) : await client.send(command);
          if ((await drain(out.Body as Readable)) !== SIZE) throw new Error('short read');
        };
      }
      await compare('s3 get', variants);
    }

    if (ONLY !== 's3') {
      const pipeline: StoragePipelineOptions = { retryOptions: { maxTries: 3, retryDelayInMs: 300, maxRetryDelayInMs: 3000 }, userAgentOptions: { userAgentPrefix: 'skyferry' } };
      const service = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey), pipeline);
      await service.createContainer(bucket);
      const cached = new Map<string, ContainerClient>();
      const upload = (c: ContainerClient, i: number) =>
        c.getBlockBlobClient(key(i)).upload(data, SIZE, {
          blobHTTPHeaders: { blobContentType: 'application/octet-stream', blobContentMD5: md5 },
          metadata: {},
          tier: undefined,
          abortSignal: new AbortController().signal,
        });
      await compare('azure put', {
        'container client per call (now)': async (i) => void (await upload(service.getContainerClient(bucket), i)),
        'container client cached': async (i) => {
          let c = cached.get(bucket);
          if (!c) cached.set(bucket, (c = service.getContainerClient(bucket)));
          await upload(c, i);
        },
      });
    }
  } finally {
    await Promise.all([minio.stop(), az.stop()]);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
