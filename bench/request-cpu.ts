/**
 * CPU per small request through the engine's providers: S3 GetObject (open + read, as the relay asks it: If-Match and
 * the GET's own metadata) from MinIO, and Azure Put Blob (put of a 4 KiB stream) to Azurite, concurrency 16.
 * Prints this process's user+system CPU ms per file for each phase and round (the emulators run in processes of
 * their own, so their CPU is not counted).
 *
 *   npx tsx bench/request-cpu.ts [--files 2000] [--rounds 5] [--phase get|put|both] [--prof out.cpuprofile]
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { Readable } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createAzureProvider } from '../electron/engine/providers/azure/azure.provider';
import { createS3Provider } from '../electron/engine/providers/s3/s3.provider';
import type { ObjectMetadata } from '../shared/model';
import { startAzurite, startMinio } from '../tools/emulators/emulators';
import { arg } from './cli-arg';


const FILES = Number(arg('files', '2000'));
const ROUNDS = Number(arg('rounds', '5'));
const PHASE = arg('phase', 'both');
const CONCURRENCY = 16;
const SIZE = 4096;
const MIB = 1024 * 1024;

async function pool(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < n; i = next++) await fn(i);
    }),
  );
}

async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

async function measure(label: string, n: number, fn: (i: number) => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await pool(n, fn);
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  const perFile = ms / n;
  console.log(`${label}: ${perFile.toFixed(3)} CPU ms/file (user ${(c.user / 1000 / n).toFixed(3)}, sys ${(c.system / 1000 / n).toFixed(3)}), wall ${((performance.now() - t0) / n).toFixed(3)} ms/file`);
  return perFile;
}

function summary(label: string, xs: number[]): void {
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(`SUMMARY ${label}: median ${median.toFixed(3)} ms/file, min ${sorted[0]?.toFixed(3)}, max ${sorted[sorted.length - 1]?.toFixed(3)} (${xs.length} rounds)`);
}

async function main(): Promise<void> {
  const [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  try {
    const bucket = `cpu-${Date.now().toString(36)}`;
    const raw = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    await raw.send(new CreateBucketCommand({ Bucket: bucket }));
    const data = randomBytes(SIZE);
    const key = (i: number): string => `f/${String(i).padStart(5, '0')}.bin`;
    const etags: string[] = [];
    await pool(FILES, async (i) => {
      const out = await raw.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: data }));
      etags[i] = (out.ETag ?? '').replace(/"/g, '');
    });
    raw.destroy();
    const sdk = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
    await sdk.createContainer(bucket);

    const multipart = { thresholdBytes: 64 * MIB, partSizeBytes: 16 * MIB, concurrency: 4 };
    const s3 = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart });
    const azure = createAzureProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint }, { accountKey: az.accountKey }, { multipart });

    const get = async (i: number): Promise<void> => {
      const signal = new AbortController().signal;
      let meta: ObjectMetadata | undefined;
      const stream = await s3.open(bucket, key(i), { signal, ifMatch: etags[i], onMetadata: (m) => (meta = m) });
      const n = await drain(stream);
      if (n !== SIZE || !meta) throw new Error(`read ${n} bytes of ${key(i)}`);
    };
    const put = async (i: number): Promise<void> => {
      const signal = new AbortController().signal;
      const out = await azure.put(bucket, key(i), Readable.from([data]), {
        size: SIZE,
        signal,
        userMetadata: {},
        contentType: 'application/octet-stream',
        verifyBeforeCommit: async () => undefined,
        resume: { onCheckpoint: () => undefined },
      });
      if (!out.etag) throw new Error(`no etag for ${key(i)}`);
    };

    // Warm-up: JIT, sockets, the SDKs' lazy modules.
    for (let w = 0; w < 2; w++) {
      await pool(FILES, get);
      await pool(FILES, put);
    }
    const prof = arg('prof', '');
    const session = prof ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const gets: number[] = [];
    const puts: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (PHASE !== 'put') gets.push(await measure(`round ${r} s3 get`, FILES, get));
      if (PHASE !== 'get') puts.push(await measure(`round ${r} azure put`, FILES, put));
    }
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(prof, JSON.stringify(profile));
      session.disconnect();
    }
    if (gets.length) summary('s3 get', gets);
    if (puts.length) summary('azure put', puts);
    await s3.close?.();
    await azure.close?.();
  } finally {
    await Promise.all([minio.stop(), az.stop()]);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
