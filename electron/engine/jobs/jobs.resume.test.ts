import { AbortMultipartUploadCommand, GetObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMinio, type MinioHandle } from '../../../tools/emulators/emulators';
import { md5OfPattern, md5OfStream, patternStream } from '../providers/conformance/data';
import type { MultipartSettings, Provider } from '../providers/provider';
import { JobManager } from './job-manager';
import { readJournal, type JournalRecord } from './journal';
import { startFaultProxy, type FaultProxy } from './testing/fault-proxy';
import { resolverFor } from './testing/resolver';
import { destinationOf, sourceOf, type ResumePeer } from './testing/resume-peer';

/**
 * Upload resume after a crash (issue 4 item 7): a child process copies a 48 MiB file into MinIO in 5 MiB parts
 * and is SIGKILLed once the journal holds checkpoints of >= 2 parts; a new manager in this process continues the
 * multipart upload through a recording proxy, so the parts it sends are counted.
 */
const MiB = 1024 * 1024;
const SIZE = 48 * MiB;
const MULTIPART: MultipartSettings = { thresholdBytes: 8 * MiB, partSizeBytes: 5 * MiB, concurrency: 2 };
const TOTAL_PARTS = Math.ceil(SIZE / MULTIPART.partSizeBytes);
const BUCKET = 'resume';
const KEY = 'out/big.bin';

let minio: MinioHandle;
let proxy: FaultProxy;
let sdk: S3Client;
let peer: ResumePeer;
let work: string;
const providers: Provider[] = [];

beforeAll(async () => {
  minio = await startMinio();
  proxy = await startFaultProxy(minio.endpoint);
  peer = { kind: 's3', endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey, multipart: MULTIPART };
  sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  const admin = destinationOf(peer);
  providers.push(admin);
  await admin.createBucket(BUCKET);
}, 600_000);

afterAll(async () => {
  await Promise.all(providers.map((p) => p.close?.()));
  sdk?.destroy();
  await proxy?.close();
  await minio?.stop();
});

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skyferry-resume-'));
  await mkdir(path.join(work, 'src', 'bkt'), { recursive: true });
  await writeSource(1);
  proxy.reset();
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeSource(seed: number): Promise<void> {
  await pipeline(patternStream(SIZE, seed, 1024 * 1024), createWriteStream(path.join(work, 'src', 'bkt', 'big.bin')));
}

async function journal(): Promise<JournalRecord[]> {
  const dir = path.join(work, 'journal');
  const names = await readdir(dir).catch(() => [] as string[]);
  const name = names.find((n) => n.endsWith('.jsonl'));
  return name === undefined ? [] : readJournal(path.join(dir, name));
}

function lastCheckpoint(recs: JournalRecord[]): { parts: number; uploadId: string } | undefined {
  const last = recs.filter((r) => r.t === 'resume').at(-1);
  if (last?.t !== 'resume') return undefined;
  return { parts: Number(last.state.parts), uploadId: String(last.state.uploadId) };
}

/** Starts the child, SIGKILLs it once the journal records >= `minParts` stored parts; the journal as left then. */
async function crashAfterParts(minParts: number): Promise<JournalRecord[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('electron/engine/jobs/testing/resume-child.ts'), work, `s3://dst/${BUCKET}/out/`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SKYFERRY_RESUME_PEER: JSON.stringify(peer) },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stopped = false;
  void exited.then(() => (stopped = true));
  try {
    for (let i = 0; i < 600 && !stopped; i++) {
      if ((lastCheckpoint(await journal())?.parts ?? 0) >= minParts) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stopped, `the child ended before being killed: ${out}`).toBe(false);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  expect(out).not.toMatch(/finished/);
  return journal();
}

async function storedMd5(): Promise<string> {
  const got = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
  return (await md5OfStream(got.Body as Readable)).md5;
}

async function pendingUploads(): Promise<number> {
  const out = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  return (out.Uploads ?? []).filter((u) => u.Key === KEY).length;
}

/** A new manager (as on the next start) whose S3 traffic goes through the recording proxy. */
async function restart(): Promise<ReturnType<JobManager['get']>> {
  const dst = destinationOf(peer, proxy.endpoint);
  providers.push(dst);
  const m = new JobManager({ resolve: resolverFor({ src: sourceOf(work), dst }), journalDir: path.join(work, 'journal') });
  m.restore();
  await m.waitForIdle();
  const [summary] = m.list();
  const job = m.get(summary?.id ?? '');
  await m.close();
  return job;
}

const partPuts = (): number => proxy.requests.filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url)).length;
const creates = (): number => proxy.requests.filter((r) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url)).length;

describe('upload resume after a crash (S3 multipart, MinIO)', () => {
  it('a copy killed with SIGKILL continues its multipart upload: only the parts not checkpointed are sent again', async () => {
    const before = await crashAfterParts(2);
    const cp = lastCheckpoint(before);
    expect(cp?.parts).toBeGreaterThanOrEqual(2);
    expect(cp?.parts).toBeLessThan(TOTAL_PARTS);
    expect(await pendingUploads()).toBe(1);

    const job = await restart();
    const d = job.detail();
    expect(d.state, JSON.stringify(d.files[0])).toBe('completed');
    const f = d.files[0];
    expect(f?.state).toBe('done');
    // Whole object checked by CRC32C: the service's per-part CRC32Cs of the stored prefix plus the tail as read.
    expect(f?.checksum).toBe('crc32c-parts');
    expect(f?.notice).toMatch(/Resumed an unfinished upload/);
    expect(creates()).toBe(0);
    expect(partPuts()).toBe(TOTAL_PARTS - (cp?.parts ?? 0));
    expect(partPuts()).toBeLessThan(TOTAL_PARTS);
    expect(await storedMd5()).toBe(await md5OfPattern(SIZE, 1));
    expect(await pendingUploads()).toBe(0);
  }, 180_000);

  it('a checkpoint whose upload was aborted meanwhile falls back to a fresh upload', async () => {
    const before = await crashAfterParts(2);
    const cp = lastCheckpoint(before);
    expect(cp).toBeDefined();
    await sdk.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: KEY, UploadId: cp?.uploadId ?? '' }));

    const job = await restart();
    const f = job.detail().files[0];
    expect(f?.state).toBe('done');
    expect(f?.notice ?? '').not.toMatch(/Resumed/);
    // A fresh multipart upload of a local file: the stored CRC32C matched the bytes read (no source hash).
    expect(f?.checksum).toBe('crc32c-relay');
    expect(creates()).toBe(1);
    expect(partPuts()).toBe(TOTAL_PARTS);
    expect(await storedMd5()).toBe(await md5OfPattern(SIZE, 1));
    expect(await pendingUploads()).toBe(0);
  }, 180_000);

  it('a source that changed since the upload started is copied from scratch and the old upload is aborted', async () => {
    await crashAfterParts(2);
    await writeSource(2);

    const job = await restart();
    const f = job.detail().files[0];
    expect(f?.state).toBe('done');
    expect(f?.notice ?? '').not.toMatch(/Resumed/);
    expect(creates()).toBe(1);
    expect(partPuts()).toBe(TOTAL_PARTS);
    expect(await storedMd5()).toBe(await md5OfPattern(SIZE, 2));
    expect(await pendingUploads()).toBe(0);
  }, 180_000);
});
