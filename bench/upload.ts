import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_MULTIPART } from '../electron/engine/providers/provider';
import type { MinioHandle } from '../tools/emulators/emulators';
import { contentStream } from './dataset';
import { peakOf } from './measure';
import { mbps, type RunFigures } from './report';
import { engineAccounts, runSdkUpload, runSkyferry } from './runners';

export interface UploadFigures {
  sizeBytes: number;
  partSizeBytes: number;
  concurrency: number;
  rounds: number;
  rows: RunFigures[];
  /** Engine throughput over the bare SDK's, best round of each; NaN when either failed. */
  ratio: number;
}

function best(rows: RunFigures[]): RunFigures | undefined {
  const ok = rows.filter((r) => r.ok);
  return ok.sort((a, b) => a.seconds - b.seconds)[0];
}

/**
 * One local file to MinIO through the engine (a copy job from file:// to s3://) and through lib-storage's Upload
 * with the engine's own part size and concurrency, alternating, in separate processes. The object's size is
 * checked after each run.
 */
export async function runUploadBench(input: { minio: MinioHandle; s3: S3Client; tmp: string; sizeBytes: number; rounds: number }): Promise<UploadFigures> {
  const { minio, s3, tmp, sizeBytes, rounds } = input;
  const dir = path.join(tmp, 'upload-src');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'upload.bin');
  await pipeline(contentStream(sizeBytes, 4242), createWriteStream(file));
  await s3.send(new CreateBucketCommand({ Bucket: 'upload' }));
  const checkSize = async (key: string): Promise<string | undefined> => {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'upload', Key: key }));
      return head.ContentLength === sizeBytes ? undefined : `object holds ${head.ContentLength} bytes, expected ${sizeBytes}`;
    } catch (e) {
      return `object missing after upload (${e instanceof Error ? e.name : String(e)})`;
    }
  };
  const engineRows: RunFigures[] = [];
  const sdkRows: RunFigures[] = [];
  for (let round = 1; round <= rounds; round++) {
    const workDir = await mkdtemp(path.join(tmp, 'engine-up-'));
    const eng = await runSkyferry({ workDir, accounts: engineAccounts(minio), sources: [`file://${file}`], destination: `s3://minio/upload/engine-${round}/` });
    await rm(workDir, { recursive: true, force: true });
    const engProblem = eng.result.state === 'completed' ? await checkSize(`engine-${round}/upload.bin`) : (eng.result.error ?? eng.result.state);
    engineRows.push({
      name: `engine copy job (round ${round})`,
      ok: engProblem === undefined,
      seconds: (eng.result.jobMs ?? eng.measured.wallMs) / 1000,
      bytes: sizeBytes,
      peakRssBytes: peakOf(eng.measured),
      notes: [`verified by ${JSON.stringify(eng.result.checksums ?? {})}`, ...(engProblem ? [`FAILED: ${engProblem}`] : [])],
    });
    const sdk = await runSdkUpload({ endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey, bucket: 'upload', key: `sdk-${round}/upload.bin`, file, partSizeBytes: DEFAULT_MULTIPART.partSizeBytes, queueSize: DEFAULT_MULTIPART.concurrency });
    const sdkProblem = sdk.result.ok ? await checkSize(`sdk-${round}/upload.bin`) : (sdk.result.error ?? 'failed');
    sdkRows.push({ name: `bare SDK Upload (round ${round})`, ok: sdkProblem === undefined, seconds: (sdk.result.ms ?? sdk.measured.wallMs) / 1000, bytes: sizeBytes, peakRssBytes: peakOf(sdk.measured), notes: sdkProblem ? [`FAILED: ${sdkProblem}`] : [] });
  }
  await rm(dir, { recursive: true, force: true });
  const e = best(engineRows);
  const s = best(sdkRows);
  return {
    sizeBytes,
    partSizeBytes: DEFAULT_MULTIPART.partSizeBytes,
    concurrency: DEFAULT_MULTIPART.concurrency,
    rounds,
    rows: [...engineRows, ...sdkRows],
    ratio: e && s ? mbps(e) / mbps(s) : NaN,
  };
}
