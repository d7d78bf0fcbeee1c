import { AbortMultipartUploadCommand, GetObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAzurite, startFakeGcs, startMinio, type AzuriteHandle, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createGcsClient } from '../providers/gcs/gcs.client';
import { partName } from '../providers/gcs/gcs.temp';
import { md5OfPattern, md5OfStream, patternStream } from '../test-support/conformance/data';
import type { MultipartSettings, Provider } from '../providers/provider';
import { JobManager } from './job-manager';
import { readJournal, type JournalRecord } from './journal';
import { appendFile } from 'node:fs/promises';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';
import { resolverFor } from '../test-support/resolver';
import { destinationOf, sourceOf, type ResumePeer } from '../test-support/resume-peer';

/**
 * Upload resume after a crash: a child process copies a 48 MiB file in 5 MiB parts and is
 * SIGKILLed once the journal holds checkpoints of >= 2 stored parts; a new manager in this process continues the
 * upload through a recording proxy, so the parts it sends are counted. Per destination that keeps parts:
 * S3 multipart (MinIO), Azure uncommitted blocks (Azurite), GCS parallel composite temp parts (fake-gcs-server).
 */
const MiB = 1024 * 1024;
const SIZE = 48 * MiB;
const MULTIPART: MultipartSettings = { thresholdBytes: 8 * MiB, partSizeBytes: 5 * MiB, concurrency: 2 };
const TOTAL_PARTS = Math.ceil(SIZE / MULTIPART.partSizeBytes);
const BUCKET = 'resume';
const KEY = 'out/big.bin';

/** What a test needs of one destination service, through its own SDK. */
interface Harness {
  peer: ResumePeer;
  uri: string;
  proxy: FaultProxy;
  /** Part / block uploads seen by the proxy. */
  partPuts(): number;
  /** What verifies a fresh upload of a local file (no stored hash): the destination's answer vs the bytes read. */
  freshCheck: string;
  /** The CRC the provider's parts carry: what a resumed file is checked by. */
  crc: 'crc32' | 'crc32c';
  /** New multipart uploads seen by the proxy (S3 only: Azure has no such call). */
  creates?(): number;
  storedMd5(): Promise<string>;
  /** Unfinished uploads (S3) or uncommitted blocks (Azure) left for the key. */
  leftovers(): Promise<number>;
  /** Drops the unfinished upload behind the journal's back, as an expiry or a cleanup would. */
  abortUpload(checkpoint: Record<string, unknown>): Promise<void>;
  /** Stores the next part of the checkpoint's upload, as a request of the killed process reaching the service late. */
  lateOldPart?(checkpoint: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

let minio: MinioHandle;
let azurite: AzuriteHandle;
let fakeGcs: FakeGcsHandle;
const harness: Record<'s3' | 'azure' | 'gcs', Harness | undefined> = { s3: undefined, azure: undefined, gcs: undefined };
const providers: Provider[] = [];
const admins: Provider[] = [];
let work: string;

beforeAll(async () => {
  [minio, azurite, fakeGcs] = await Promise.all([startMinio(), startAzurite(), startFakeGcs({ backend: 'memory' })]);
  {
    const peer: ResumePeer = { kind: 's3', endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey, multipart: MULTIPART };
    const sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    const proxy = await startFaultProxy(minio.endpoint);
    harness.s3 = {
      peer,
      uri: `s3://dst/${BUCKET}/out/`,
      // The whole-object CRC32 combined from the per-part CRC32s S3 checked.
      freshCheck: 'crc32-relay',
      crc: 'crc32',
      proxy,
      partPuts: () => proxy.requests.filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url)).length,
      creates: () => proxy.requests.filter((r) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url)).length,
      storedMd5: async () => (await md5OfStream((await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }))).Body as Readable)).md5,
      leftovers: async () => ((await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).filter((u) => u.Key === KEY).length,
      abortUpload: async (cp) => {
        await sdk.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: KEY, UploadId: String(cp.uploadId) }));
      },
      close: async () => {
        sdk.destroy();
        await proxy.close();
      },
    };
  }
  {
    const peer: ResumePeer = { kind: 'azure', endpoint: azurite.endpoint, accountName: azurite.accountName, accountKey: azurite.accountKey, multipart: MULTIPART };
    const blob = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey)).getContainerClient(BUCKET).getBlockBlobClient(KEY);
    const proxy = await startFaultProxy(new URL(azurite.endpoint).origin);
    harness.azure = {
      peer,
      uri: `az://dst/${BUCKET}/out/`,
      // The blob's Content-MD5, each block checked by the service against its own MD5.
      freshCheck: 'md5-relay',
      crc: 'crc32',
      proxy,
      partPuts: () => proxy.requests.filter((r) => r.method === 'PUT' && /[?&]comp=block(&|$)/.test(r.url)).length,
      storedMd5: async () => (await md5OfStream((await blob.download()).readableStreamBody as Readable)).md5,
      leftovers: async () => {
        try {
          return (await blob.getBlockList('uncommitted')).uncommittedBlocks?.length ?? 0;
        } catch (e) {
          if ((e as { statusCode?: number }).statusCode === 404) return 0;
          throw e;
        }
      },
      abortUpload: async () => {
        // Azure has no call for it: commit nothing where no blob exists, then delete that empty blob.
        const empty = await blob.commitBlockList([], { conditions: { ifNoneMatch: '*' } });
        await blob.delete({ conditions: { ifMatch: empty.etag } });
      },
      close: () => proxy.close(),
    };
  }
  {
    const peer: ResumePeer = { kind: 'gcs', endpoint: fakeGcs.endpoint, projectId: fakeGcs.projectId, multipart: MULTIPART };
    // The SDK client as the provider builds it, straight to the emulator.
    const bucket = createGcsClient({ kind: 'gcs', name: 'check', projectId: fakeGcs.projectId, endpoint: fakeGcs.endpoint, bucket: undefined }, {}).storage.bucket(BUCKET);
    const temps = async (): Promise<string[]> => (await bucket.getFiles({ prefix: '.skyferry-upload/' }))[0].map((f) => f.name);
    const proxy = await startFaultProxy(new URL(fakeGcs.endpoint).origin);
    harness.gcs = {
      peer,
      uri: `gs://dst/${BUCKET}/out/`,
      proxy,
      // The final compose's CRC32C, computed by the service.
      freshCheck: 'crc32c-relay',
      crc: 'crc32c',
      partPuts: () => proxy.requests.filter((r) => r.method === 'POST' && r.url.includes('/upload/') && /skyferry-upload/.test(decodeURIComponent(r.url))).length,
      storedMd5: async () => (await md5OfStream(bucket.file(KEY).createReadStream())).md5,
      leftovers: async () => (await temps()).length,
      abortUpload: async () => {
        for (const name of await temps()) await bucket.file(name).delete({ ignoreNotFound: true });
      },
      lateOldPart: async (cp) => {
        await bucket.file(partName(String(cp.id), Number(cp.parts))).save(Buffer.alloc(1024, 7), { resumable: false });
      },
      close: () => proxy.close(),
    };
  }
  for (const h of Object.values(harness)) {
    const admin = destinationOf(h?.peer as ResumePeer);
    providers.push(admin);
    admins.push(admin);
    await admin.createBucket(BUCKET);
  }
}, 600_000);

afterAll(async () => {
  await Promise.all(providers.map((p) => p.close?.()));
  await Promise.all(Object.values(harness).map((h) => h?.close()));
  await Promise.all([minio?.stop(), azurite?.stop(), fakeGcs?.stop()]);
});

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skyferry-resume-'));
  await mkdir(path.join(work, 'src', 'bkt'), { recursive: true });
  await writeSource(1);
  // Each test starts with no object (and, for Azure, no block) under the key.
  for (const a of admins) await a.remove(BUCKET, KEY);
  for (const h of Object.values(harness)) h?.proxy.reset();
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

/** The latest upload checkpoint in the journal and how many parts it says are stored. */
function lastCheckpoint(recs: JournalRecord[]): { stored: number; state: Record<string, unknown> } | undefined {
  const last = recs.filter((r) => r.t === 'resume').at(-1);
  if (last?.t !== 'resume') return undefined;
  return { stored: Number(last.state.parts ?? last.state.blocks), state: last.state };
}

/** Starts the child, SIGKILLs it once the journal records >= `minParts` stored parts; the journal as left then. */
async function crashAfterParts(h: Harness, minParts: number): Promise<JournalRecord[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('electron/engine/test-support/resume-child.ts'), work, h.uri], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SKYFERRY_RESUME_PEER: JSON.stringify(h.peer) },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  let stopped = false;
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      stopped = true;
      r();
    }),
  );
  try {
    for (let i = 0; i < 600 && !stopped; i++) {
      // The child creates its journal file before it writes the header into it: an empty file is "not yet".
      const recs = await journal().catch((e: unknown) => {
        if (e instanceof Error && /holds no job header/.test(e.message)) return [];
        throw e;
      });
      if ((lastCheckpoint(recs)?.stored ?? 0) >= minParts) break;
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

/** A new manager (as on the next start) whose traffic to the destination goes through the recording proxy. */
async function restart(h: Harness): Promise<ReturnType<JobManager['get']>> {
  const dst = destinationOf(h.peer, h.proxy.endpoint);
  providers.push(dst);
  const m = new JobManager({ resolve: resolverFor({ src: sourceOf(work), dst }), journalDir: path.join(work, 'journal') });
  m.restore();
  await m.waitForIdle();
  const [summary] = m.list();
  const job = m.get(summary?.id ?? '');
  await m.close();
  return job;
}

async function journalFile(): Promise<string> {
  const dir = path.join(work, 'journal');
  const name = (await readdir(dir)).find((n) => n.endsWith('.jsonl'));
  return path.join(dir, name ?? '');
}

/** Waits (bounded) until the journal records >= `min` stored parts. */
async function untilCheckpointed(min: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((lastCheckpoint(await journal())?.stored ?? 0) >= min) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no checkpoint of ${min} parts in the journal`);
}

describe.each(['s3', 'azure', 'gcs'] as const)('upload resume after a crash: %s', (kind) => {
  const h = (): Harness => harness[kind] as Harness;

  it('a copy killed with SIGKILL continues its upload: only the parts not checkpointed are sent again', async () => {
    const cp = lastCheckpoint(await crashAfterParts(h(), 2));
    expect(cp?.stored).toBeGreaterThanOrEqual(2);
    expect(cp?.stored).toBeLessThan(TOTAL_PARTS);
    expect(await h().leftovers()).toBeGreaterThan(0);

    const job = await restart(h());
    const d = job.detail();
    expect(d.state, JSON.stringify(d.files[0])).toBe('completed');
    const f = d.files[0];
    expect(f?.state).toBe('done');
    // Whole object checked by its CRC: the stored parts' CRCs combined with the tail's as read now.
    expect(f?.checksum).toBe(`${h().crc}-parts`);
    expect(f?.notice).toContain(`Resumed an unfinished upload: ${((cp?.stored ?? 0) * 5).toFixed(1)} MiB were already stored`);
    if (h().creates) expect(h().creates?.()).toBe(0);
    expect(h().partPuts()).toBe(TOTAL_PARTS - (cp?.stored ?? 0));
    expect(await h().storedMd5()).toBe(await md5OfPattern(SIZE, 1));
    expect(await h().leftovers()).toBe(0);
  }, 180_000);

  it('a checkpoint whose upload was dropped meanwhile falls back to a fresh upload', async () => {
    const cp = lastCheckpoint(await crashAfterParts(h(), 2));
    expect(cp).toBeDefined();
    await h().abortUpload(cp?.state ?? {});

    const job = await restart(h());
    const f = job.detail().files[0];
    expect(f?.state, JSON.stringify(f)).toBe('done');
    expect(f?.notice ?? '').not.toMatch(/Resumed/);
    expect(f?.checksum).toBe(h().freshCheck);
    if (h().creates) expect(h().creates?.()).toBe(1);
    expect(h().partPuts()).toBe(TOTAL_PARTS);
    expect(await h().storedMd5()).toBe(await md5OfPattern(SIZE, 1));
    expect(await h().leftovers()).toBe(0);
  }, 180_000);

  it('a checkpoint that does not match the stored parts (CRC32C) starts over instead of building on them', async () => {
    const recs = await crashAfterParts(h(), 2);
    const last = recs.filter((r) => r.t === 'resume').at(-1);
    expect(last?.t).toBe('resume');
    if (last?.t !== 'resume') return;
    // As if the parts on the service were not the bytes recorded: one bit of the recorded CRC32C flipped.
    const crc = String(last.state[h().crc]);
    const flipped = ((parseInt(crc, 16) ^ 1) >>> 0).toString(16).padStart(8, '0');
    await appendFile(await journalFile(), `${JSON.stringify({ ...last, state: { ...last.state, [h().crc]: flipped } })}\n`);

    const job = await restart(h());
    const f = job.detail().files[0];
    expect(f?.state, JSON.stringify(f)).toBe('done');
    expect(f?.notice ?? '').not.toMatch(/Resumed/);
    expect(f?.checksum).toBe(h().freshCheck);
    expect(h().partPuts()).toBe(TOTAL_PARTS);
    expect(await h().storedMd5()).toBe(await md5OfPattern(SIZE, 1));
    expect(await h().leftovers()).toBe(0);
  }, 180_000);

  it('pause and resume in one run continue the upload; cancelling a paused job drops it', async () => {
    const dst = destinationOf(h().peer, h().proxy.endpoint);
    providers.push(dst);
    const m = new JobManager({ resolve: resolverFor({ src: sourceOf(work, 6 * MiB), dst }), journalDir: path.join(work, 'journal') });
    try {
      const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/big.bin'], destination: h().uri });
      await untilCheckpointed(2);
      m.pause({ id });
      await m.waitForIdle();
      expect(m.get(id).summary().state).toBe('paused');
      // The latest checkpoint reaches the journal on pause.
      const cp = lastCheckpoint(await journal());
      expect(cp?.stored).toBeGreaterThanOrEqual(2);
      expect(await h().leftovers()).toBeGreaterThan(0);
      h().proxy.reset();
      m.resume({ id });
      await m.waitForIdle();
      const f = m.get(id).detail().files[0];
      expect(f?.state, JSON.stringify(f)).toBe('done');
      expect(f?.checksum).toBe(`${h().crc}-parts`);
      expect(h().partPuts()).toBe(TOTAL_PARTS - (cp?.stored ?? 0));
      expect(await h().storedMd5()).toBe(await md5OfPattern(SIZE, 1));
      expect(await h().leftovers()).toBe(0);

      // A second copy, paused with parts stored, then cancelled: nothing of it is left on the service. (Over no
      // object: Azure cannot drop the uncommitted blocks of a blob that exists; they expire after 7 days.)
      for (const a of admins) await a.remove(BUCKET, KEY);
      const second = m.start({ kind: 'copy', sources: ['file://src/bkt/big.bin'], destination: h().uri });
      for (let i = 0; i < 600 && (await h().leftovers()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1500));
      m.pause({ id: second.id });
      await m.waitForIdle();
      expect(await h().leftovers()).toBeGreaterThan(0);
      m.cancel({ id: second.id });
      await m.waitForIdle();
      expect(m.get(second.id).summary().state).toBe('cancelled');
      expect(await h().leftovers()).toBe(0);
    } finally {
      await m.close();
    }
  }, 180_000);

  it('a source that changed since the upload started is copied from scratch; the old upload is dropped', async () => {
    await crashAfterParts(h(), 2);
    await writeSource(2);

    const job = await restart(h());
    const f = job.detail().files[0];
    expect(f?.state, JSON.stringify(f)).toBe('done');
    expect(f?.notice ?? '').not.toMatch(/Resumed/);
    if (h().creates) expect(h().creates?.()).toBe(1);
    expect(h().partPuts()).toBe(TOTAL_PARTS);
    expect(await h().storedMd5()).toBe(await md5OfPattern(SIZE, 2));
    expect(await h().leftovers()).toBe(0);
  }, 180_000);
});

describe('upload resume after a crash: a late part (GCS)', () => {
  it('a part of the killed run that reaches the service after its upload was dropped is dropped once the new upload is stored', async () => {
    const h = harness.gcs as Harness;
    const cp = lastCheckpoint(await crashAfterParts(h, 2));
    expect(cp).toBeDefined();
    await writeSource(2);
    // The old upload is dropped first (the source changed); the late part lands once the new upload is under way.
    const late = (async () => {
      for (let i = 0; i < 1200 && h.partPuts() === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await h.lateOldPart?.(cp?.state ?? {});
    })();
    const job = await restart(h);
    await late;
    const f = job.detail().files[0];
    expect(f?.state, JSON.stringify(f)).toBe('done');
    expect(h.partPuts()).toBe(TOTAL_PARTS);
    expect(await h.storedMd5()).toBe(await md5OfPattern(SIZE, 2));
    expect(await h.leftovers()).toBe(0);
  }, 180_000);
});

describe('upload resume between attempts (S3)', () => {
  it('a part that keeps failing fails the attempt; the retry continues the same multipart upload', async () => {
    const h = harness.s3 as Harness;
    const dst = destinationOf(h.peer, h.proxy.endpoint);
    providers.push(dst);
    // More 500s for part 6 than the SDK retries by itself (3 attempts): the whole file attempt fails once.
    h.proxy.add({ match: (method, url) => method === 'PUT' && /[?&]partNumber=6(&|$)/.test(url), times: 3, fault: { kind: 'status', status: 500 } });
    const m = new JobManager({ resolve: resolverFor({ src: sourceOf(work), dst }), retry: { baseDelayMs: 50, maxDelayMs: 200 } });
    try {
      const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/big.bin'], destination: h.uri });
      await m.waitForIdle();
      const f = m.get(id).detail().files[0];
      expect(f?.state, JSON.stringify(f)).toBe('done');
      expect(h.proxy.fired.status).toBe(3);
      expect(f?.attempts).toBe(2);
      expect(f?.notice).toMatch(/^Resumed an unfinished upload/);
      expect(f?.checksum).toBe('crc32-parts');
      // One multipart upload for both attempts.
      expect(h.creates?.()).toBe(1);
      expect(await h.storedMd5()).toBe(await md5OfPattern(SIZE, 1));
      expect(await h.leftovers()).toBe(0);
    } finally {
      await m.close();
    }
  }, 120_000);
});

describe('an Azure overwrite given up mid-upload', () => {
  it('leaves the existing blob as it was, says in the report that its staged blocks stay, and a retry drops them', async () => {
    const h = harness.azure as Harness;
    const admin = destinationOf(h.peer);
    providers.push(admin);
    // The existing blob, written by one Put Blob: it has no block list that could be committed again.
    const old = Buffer.from('the blob as it was before the copy\n');
    const before = await admin.put(BUCKET, KEY, Readable.from([old]), { size: old.length });
    const dst = destinationOf(h.peer, h.proxy.endpoint);
    providers.push(dst);
    const m = new JobManager({ resolve: resolverFor({ src: sourceOf(work, 6 * MiB), dst }), journalDir: path.join(work, 'journal') });
    try {
      const { id } = m.start({ kind: 'copy', sources: ['file://src/bkt/big.bin'], destination: h.uri, options: { overwrite: 'always' } });
      for (let i = 0; i < 600 && (await h.leftovers()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      m.cancel({ id });
      await m.waitForIdle();
      const f = m.get(id).detail().files[0];
      expect(m.get(id).summary().state).toBe('cancelled');
      // Dropping the blocks would mean rewriting the blob: they stay, invisible, and the report says so.
      const left = await h.leftovers();
      expect(left).toBeGreaterThan(0);
      expect(f?.notice).toBe(`${left} uploaded block${left === 1 ? '' : 's'} of the unfinished upload stay staged on the existing blob: its content is unchanged; Azure drops them after 7 days, or the next upload of this name does`);
      const after = await admin.stat(BUCKET, KEY);
      expect(after.etag).toBe(before.etag);
      expect(after.size).toBe(old.length);

      m.retry({ id });
      await m.waitForIdle();
      const again = m.get(id).detail().files[0];
      expect(again?.state, JSON.stringify(again)).toBe('done');
      expect(again?.notice ?? '').not.toMatch(/stay staged/);
      expect(await h.storedMd5()).toBe(await md5OfPattern(SIZE, 1));
      expect(await h.leftovers()).toBe(0);
    } finally {
      await m.close();
    }
  }, 180_000);
});
