/**
 * `npx tsx bench/what-if.ts [--quick]`: sizes the engine changes proposed from the bench (see bench/README.md) before
 * anyone makes them. Runs the real JobManager in-process, MinIO -> Azurite, over the small files and the big files
 * separately, with variants of its settings. One variant ("fewer round trips") wraps the providers so that the
 * stats the relay would not need with a destination listing and the put's own answer cost no request: an upper
 * bound of that change, NOT a safe way to copy (it skips the checks those stats make). Prints seconds per variant.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NotFoundError } from '../shared/errors';
import type { ObjectMetadata } from '../shared/model';
import { JobManager } from '../electron/engine/jobs/job-manager';
import { resolverFor } from '../electron/engine/test-support/resolver';
import { createAzureProvider } from '../electron/engine/providers/azure/azure.provider';
import { DEFAULT_MULTIPART, type MultipartSettings, type Provider } from '../electron/engine/providers/provider';
import { createS3Provider } from '../electron/engine/providers/s3/s3.provider';
import { startAzurite, startMinio } from '../tools/emulators/emulators';
import { seed, verifyContainer, type DataSet } from './dataset';

const MiB = 1024 * 1024;

/** Source stats answered once per key; destination: absent before the put, the put's own answer after it. */
function fewerRoundTrips(src: Provider, dst: Provider): { src: Provider; dst: Provider } {
  const seen = new Map<string, ObjectMetadata>();
  const put = new Map<string, ObjectMetadata>();
  return {
    src: {
      ...src,
      async stat(bucket, key, signal) {
        const hit = seen.get(`${bucket}/${key}`);
        if (hit) return hit;
        const meta = await src.stat(bucket, key, signal);
        seen.set(`${bucket}/${key}`, meta);
        return meta;
      },
    },
    dst: {
      ...dst,
      async stat(bucket, key) {
        const hit = put.get(`${bucket}/${key}`);
        if (!hit) throw new NotFoundError(`${key} (not requested)`);
        return hit;
      },
      async put(bucket, key, source, options) {
        const r = await dst.put(bucket, key, source, options);
        put.set(`${bucket}/${key}`, { key, size: options.size, checksums: r.checksums, userMetadata: {} });
        return r;
      },
    },
  };
}

interface Variant {
  name: string;
  maxFiles: number;
  multipart: MultipartSettings;
  fewer: boolean;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-whatif-'));
  const [minio, az] = await Promise.all([startMinio({ dataDir: path.join(tmp, 'minio') }), startAzurite({ dataDir: path.join(tmp, 'az') })]);
  const s3 = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  const blob = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  try {
    const set: DataSet = quick ? { bigCount: 4, bigSize: 32 * MiB, smallCount: 200, smallSize: 4096 } : { bigCount: 8, bigSize: 64 * MiB, smallCount: 1000, smallSize: 4096 };
    await seed(s3, 'bench', set);
    const variants: Variant[] = [
      { name: 'engine defaults (8 files, parts 8 MiB x 4)', maxFiles: 8, multipart: DEFAULT_MULTIPART, fewer: false },
      { name: '16 files in flight', maxFiles: 16, multipart: DEFAULT_MULTIPART, fewer: false },
      { name: 'fewer round trips (upper bound)', maxFiles: 8, multipart: DEFAULT_MULTIPART, fewer: true },
      { name: '16 files + fewer round trips', maxFiles: 16, multipart: DEFAULT_MULTIPART, fewer: true },
      { name: 'parts 8 MiB x 8', maxFiles: 8, multipart: { ...DEFAULT_MULTIPART, concurrency: 8 }, fewer: false },
      { name: 'parts 4 MiB x 16 (rclone azureblob defaults)', maxFiles: 8, multipart: { ...DEFAULT_MULTIPART, partSizeBytes: 4 * MiB, concurrency: 16 }, fewer: false },
    ];
    for (const half of ['small', 'big'] as const) {
      const subset: DataSet = half === 'small' ? { ...set, bigCount: 0 } : { ...set, smallCount: 0 };
      for (const v of variants) {
        if (half === 'small' && v.multipart !== DEFAULT_MULTIPART) continue; // parts do not touch 4 KiB files
        const s3p = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: v.multipart });
        const azp = createAzureProvider({ kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint }, { accountKey: az.accountKey }, { multipart: v.multipart });
        const p = v.fewer ? fewerRoundTrips(s3p, azp) : { src: s3p, dst: azp };
        const container = `w${Date.now().toString(36)}`;
        await blob.getContainerClient(container).create();
        const m = new JobManager({ resolve: resolverFor({ minio: p.src, azurite: p.dst }), maxFiles: v.maxFiles, maxPerAccount: v.maxFiles });
        const t0 = performance.now();
        const { id } = m.start({ kind: 'copy', sources: [`s3://minio/bench/data/${half}/`], destination: `az://azurite/${container}/` });
        const summary = await m.whenFinished(id);
        const seconds = (performance.now() - t0) / 1000;
        await m.close();
        const check = await verifyContainer(blob.getContainerClient(container), '', subset);
        await blob.getContainerClient(container).delete();
        await Promise.all([s3p.close?.(), azp.close?.()]);
        const mb = (subset.bigCount * subset.bigSize + subset.smallCount * subset.smallSize) / 1e6;
        process.stdout.write(`${half.padEnd(6)} ${v.name.padEnd(46)} ${seconds.toFixed(2).padStart(7)} s ${(mb / seconds).toFixed(1).padStart(7)} MB/s  ${summary.state}${check.ok ? '' : ` NOT VERIFIED: ${check.problems[0] ?? ''}`}  load ${os.loadavg()[0]?.toFixed(1)}\n`);
      }
    }
  } finally {
    s3.destroy();
    await Promise.all([minio.stop(), az.stop()]);
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
