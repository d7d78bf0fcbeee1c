/**
 * The engine's CPU per file in a whole copy job (MinIO -> Azurite, the streamed relay), in this process: seeds N
 * objects of --size bytes (4 KiB by default; large ones are uploaded in 16 MiB parts, as the bench seeds them), then
 * runs the same copy job several times (each to a fresh container) and prints the process's user+system CPU ms per
 * file for each job. With --prof, a V8 CPU profile of the last job.
 *
 *   npx tsx bench/engine-small.ts [--files 2000] [--size 4096] [--jobs 4] [--prof out.cpuprofile] [--heap-prof out.heapprofile]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createFileKeyCipher } from '../electron/engine/accounts/secret-store';
import { createEngine } from '../electron/engine/engine';
import type { Engine } from '../electron/engine/dispatch';
import { JobSummarySchema } from '../shared/contract/jobs.channels';
import { startAzurite, startMinio } from '../tools/emulators/emulators';
import { engineAccounts } from './runners';
import { arg } from './cli-arg';

const FILES = Number(arg('files', '2000'));
const SIZE = Number(arg('size', '4096'));
const JOBS = Number(arg('jobs', '4'));
const PROF = arg('prof', '');
/** A sampling heap profile of the last job, with the objects GC already took: where the allocations come from. */
const HEAP_PROF = arg('heap-prof', '');

async function call(engine: Engine, channel: string, request: unknown): Promise<unknown> {
  const r = await engine.invoke(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function main(): Promise<void> {
  const [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-engine-small-'));
  try {
    const s3 = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const data = randomBytes(SIZE);
    let next = 0;
    await Promise.all(
      Array.from({ length: SIZE > 16 * 1024 * 1024 ? 2 : 16 }, async () => {
        for (let i = next++; i < FILES; i = next++) {
          const params = { Bucket: 'bench', Key: `small/${String(i).padStart(5, '0')}.bin`, Body: data };
          if (SIZE > 16 * 1024 * 1024) await new Upload({ client: s3, params, partSize: 16 * 1024 * 1024, queueSize: 4 }).done();
          else await s3.send(new PutObjectCommand(params));
        }
      }),
    );
    s3.destroy();
    const blob = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));

    const engine = await createEngine({ dataDir: path.join(workDir, 'data'), cipher: await createFileKeyCipher(path.join(workDir, 'keys', 'key')) });
    for (const account of engineAccounts(minio, az)) await call(engine, 'accounts:save', { account });
    let finished: (() => void) | undefined;
    engine.subscribe((event, payload) => {
      if (event !== 'jobs:progress') return;
      const s = JobSummarySchema.parse(payload);
      if (s.state === 'completed' || s.state === 'failed' || s.state === 'cancelled') finished?.();
    });
    const perFile: number[] = [];
    for (let j = 0; j < JOBS; j++) {
      const container = `small-${Date.now().toString(36)}-${j}`;
      await blob.createContainer(container);
      const session = (PROF || HEAP_PROF) && j === JOBS - 1 ? new Session() : undefined;
      if (session) {
        session.connect();
        if (PROF) {
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
        }
        if (HEAP_PROF) {
          await session.post('HeapProfiler.enable');
          await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        }
      }
      const done = new Promise<void>((resolve) => (finished = resolve));
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const { id } = (await call(engine, 'jobs:start', { kind: 'copy', sources: ['s3://minio/bench/small/'], destination: `az://azurite/${container}/` })) as { id: string };
      await done;
      const c = process.cpuUsage(c0);
      const wall = performance.now() - t0;
      if (session) {
        if (PROF) await writeFile(PROF, JSON.stringify((await session.post('Profiler.stop')).profile));
        if (HEAP_PROF) await writeFile(HEAP_PROF, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
        session.disconnect();
      }
      const detail = (await call(engine, 'jobs:get', { id, limit: 1 })) as { state: string; filesDone: number; filesFailed: number };
      const ms = (c.user + c.system) / 1000 / FILES;
      perFile.push(ms);
      // With node --expose-gc: the heap left once the garbage is gone (what the jobs keep) beside the heap as it was.
      const heapBefore = process.memoryUsage().heapUsed;
      (globalThis as { gc?: () => void }).gc?.();
      const heap = (globalThis as { gc?: () => void }).gc ? `, heap used ${(heapBefore / 1e6).toFixed(0)} MB, ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB after a full GC` : '';
      console.log(`job ${j}: ${detail.state}, ${detail.filesDone} done, ${detail.filesFailed} failed; ${ms.toFixed(3)} CPU ms/file (user ${(c.user / 1000 / FILES).toFixed(3)}, sys ${(c.system / 1000 / FILES).toFixed(3)}), wall ${(wall / 1000).toFixed(2)} s${heap}`);
    }
    const warm = perFile.slice(1).sort((a, b) => a - b);
    console.log(`SUMMARY engine job (jobs 1..${JOBS - 1}): median ${(warm[Math.floor(warm.length / 2)] ?? 0).toFixed(3)} ms/file, min ${warm[0]?.toFixed(3)}, max ${warm[warm.length - 1]?.toFixed(3)}`);
    await engine.close();
  } finally {
    await Promise.all([minio.stop(), az.stop()]);
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
