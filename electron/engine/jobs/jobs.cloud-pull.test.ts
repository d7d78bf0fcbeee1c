import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobDetail } from '../../../shared/contract/jobs.channels';
import { generateKeyPairSync } from 'node:crypto';
import { startAzurite, startFakeGcs, startMinio, type AzuriteHandle, type FakeGcsHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createAzureProvider } from '../providers/azure/azure.provider';
import type { PullSettings } from '../providers/azure/azure.pull';
import { md5OfPattern, md5OfStream, patternStream, readAll } from '../test-support/conformance/data';
import { createGcsProvider } from '../providers/gcs/gcs.provider';
import { createLocalProvider } from '../providers/local/local.provider';
import type { MultipartSettings, Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { JobManager, type JobEventSink } from './job-manager';
import { startFaultProxy, type FaultProxy } from '../test-support/fault-proxy';
import { startPullProxy, type PullProxy } from '../test-support/pull-proxy';
import { resolverFor } from '../test-support/resolver';
import { linkLifetimeSeconds } from './cloud-pull';
import { choosePath } from './transfer';

/**
 * The cloud-side pull: S3 (MinIO), GCS (fake-gcs, which checks no URL signature) or another Azure
 * account -> Azure. Azurite does not implement
 * Put Blob / Put Block From URL, so the pulling Azure account goes through a loopback proxy that does what Azure
 * does (test-support/pull-proxy.ts); the fallback is also proven against Azurite itself, which answers 501.
 */
const MiB = 1024 * 1024;
/** One request up to 3 MiB with a source MD5 and up to 1 MiB without; 1 MiB ranges above, 3 at a time. */
const PULL: PullSettings = { singleShotMaxBytes: 3 * MiB, uncheckedSingleShotMaxBytes: 1 * MiB, blockBytes: 1 * MiB, concurrency: 3 };
const MULTIPART: MultipartSettings = { thresholdBytes: 8 * MiB, partSizeBytes: 5 * MiB, concurrency: 4 };
/** one.bin: one Put Blob From URL; big.bin: six Put Block From URL and a Put Block List. */
const FILES: Record<string, number> = { 'pull/one.bin': 2 * MiB + 17, 'pull/big.bin': 5 * MiB + 123 };
const CONTENT_TYPE = 'application/x-skyferry-test';
/** Small files of the adaptive case, and the admission's starting number of small files in flight (admission.ts). */
const MANY = 160;
const INITIAL_SMALL = 16;
const SIGNATURE_PARAMS = /X-Amz-Signature|X-Amz-Credential|X-Goog-Signature|[?&]sig=/i;

let minio: MinioHandle;
let az: AzuriteHandle;
let fakeGcs: FakeGcsHandle;
let gcs: Provider;
let proxy: PullProxy;
let s3: Provider;
/** MinIO behind the fault proxy, for a relay that fails once after a refused pull. */
let faults: FaultProxy;
let s3f: Provider;
let azPull: Provider;
/** Pulls through the same stand-in with one checked request up to 8 MiB. */
let azPullWide: Provider;
let azDirect: Provider;
let azSrc: Provider;
let azsdk: BlobServiceClient;
let journals: string;
let run = 0;
const md5s = new Map<string, string>();
let logs: string[] = [];

beforeAll(async () => {
  process.env.SKYFERRY_LOG_LEVEL = 'debug';
  [minio, az, fakeGcs] = await Promise.all([startMinio(), startAzurite(), startFakeGcs({ backend: 'memory' })]);
  // fake-gcs checks no signature, but the SDK needs a real RSA key to sign a URL.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const serviceAccountJson = JSON.stringify({ type: 'service_account', project_id: fakeGcs.projectId, client_email: 'skyferry-test@skyferry-test.iam.gserviceaccount.com', private_key: privateKey });
  gcs = createGcsProvider({ kind: 'gcs', name: 'gcs', projectId: fakeGcs.projectId, endpoint: fakeGcs.endpoint, bucket: undefined }, { serviceAccountJson }, { multipart: MULTIPART });
  proxy = await startPullProxy(az);
  s3 = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
  const azure = (name: string, endpoint: string, pull = PULL): Provider =>
    createAzureProvider({ kind: 'azure', name, auth: 'sharedKey', accountName: az.accountName, endpoint }, { accountKey: az.accountKey }, { multipart: MULTIPART, pull });
  faults = await startFaultProxy(minio.endpoint);
  s3f = createS3Provider({ kind: 's3', name: 'minio-f', region: minio.region, endpoint: faults.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: MULTIPART });
  azPull = azure('azpull', proxy.endpoint);
  azPullWide = azure('azpullwide', proxy.endpoint, { ...PULL, singleShotMaxBytes: 8 * MiB });
  azDirect = azure('azurite', az.endpoint);
  azSrc = azure('azsrc', az.endpoint);
  azsdk = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
  await s3.createBucket('src');
  await azDirect.createBucket('dst');
  await azDirect.createBucket('asrc');
  await gcs.createBucket('gsrc');
  let seed = 31;
  for (const [key, size] of Object.entries(FILES)) {
    const s = seed++;
    const meta = { size, contentType: CONTENT_TYPE, userMetadata: { project: 'skyferry' } };
    await s3.put('src', key, patternStream(size, s), meta);
    await azSrc.put('asrc', key, patternStream(size, s), meta);
    await gcs.put('gsrc', key, patternStream(size, s), meta);
    md5s.set(key, await md5OfPattern(size, s));
  }
  journals = await mkdtemp(path.join(os.tmpdir(), 'skyferry-pull-journal-'));
}, 600_000);

afterAll(async () => {
  await faults?.close();
  await Promise.all([gcs?.close?.(), s3?.close?.(), s3f?.close?.(), azPull?.close?.(), azPullWide?.close?.(), azDirect?.close?.(), azSrc?.close?.()]);
  await proxy?.close();
  await Promise.all([minio?.stop(), az?.stop(), fakeGcs?.stop()]);
  if (journals) await rm(journals, { recursive: true, force: true });
  delete process.env.SKYFERRY_LOG_LEVEL;
});

beforeEach(() => {
  run++;
  proxy.reset();
  faults.reset();
  logs = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logs.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function textUnder(dir: string): Promise<string> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(await readFile(path.join(e.parentPath, e.name), 'utf8'));
  }
  return out.join('\n');
}

interface Ran {
  detail: JobDetail;
  prefix: string;
  /** Everything the job told the outside: every event, its journal files, the log lines. */
  told: string;
}

async function copy(source: string, destination: string, allowCloudPull: boolean): Promise<Ran> {
  const events: unknown[] = [];
  const emit: JobEventSink = (event, payload) => events.push({ event, payload });
  const m = new JobManager({
    resolve: resolverFor({ gcs, minio: s3, 'minio-f': s3f, azpull: azPull, azpullwide: azPullWide, azurite: azDirect, azsrc: azSrc }),
    journalDir: journals,
    emit,
    progressIntervalMs: 20,
    retry: { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 3 },
  });
  const prefix = `run${run}/`;
  const { id } = m.start({ kind: 'copy', sources: [source], destination: `${destination}${prefix}`, options: { overwrite: 'always', verify: true, allowCloudPull } });
  await m.waitForIdle();
  const detail = m.get(id).detail();
  await m.close();
  return { detail, prefix, told: [JSON.stringify(events), await textUnder(journals), logs.join('')].join('\n') };
}

async function expectStored(prefix: string): Promise<void> {
  const c = azsdk.getContainerClient('dst');
  for (const [key, md5] of md5s) {
    const blob = c.getBlobClient(`${prefix}${key}`);
    const body = (await blob.download()).readableStreamBody;
    if (!body) throw new Error(`no body for ${key}`);
    expect((await md5OfStream(body as NodeJS.ReadableStream & AsyncIterable<Buffer>)).md5, key).toBe(md5);
    const props = await blob.getProperties();
    expect(props.contentType, key).toBe(CONTENT_TYPE);
    expect(props.metadata?.project, key).toBe('skyferry');
  }
}

function signatureOf(url: string): string {
  const q = new URL(url).searchParams;
  const sig = q.get('X-Amz-Signature') ?? q.get('X-Goog-Signature') ?? q.get('sig') ?? '';
  expect(sig.length).toBeGreaterThan(10);
  return sig;
}

describe('choosing the path', () => {
  it('cloud-pull only when allowed, across accounts, into a destination that can pull from a source that can sign', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-pull-local-'));
    const local = createLocalProvider({ kind: 'local', name: 'disk', root: dir });
    const e = (provider: Provider, accountKey: string) => ({ provider, bucket: 'b', key: 'k', accountKey });
    expect(choosePath(e(s3, 's3:minio'), e(azPull, 'azure:azpull'), true, true).path).toBe('cloud-pull');
    expect(choosePath(e(azSrc, 'azure:azsrc'), e(azPull, 'azure:azpull'), true, true).path).toBe('cloud-pull');
    expect(choosePath(e(s3, 's3:minio'), e(azPull, 'azure:azpull'), true, false).path).toBe('relay');
    // Inside one account the server-side copy is cheaper still.
    expect(choosePath(e(azSrc, 'azure:azsrc'), e(azSrc, 'azure:azsrc'), true, true).path).toBe('server-side');
    // A local folder cannot sign a link; S3 cannot pull.
    expect(choosePath(e(local, 'local:disk'), e(azPull, 'azure:azpull'), true, true).path).toBe('relay');
    expect(choosePath(e(azSrc, 'azure:azsrc'), e(s3, 's3:minio'), true, true).path).toBe('relay');
    await rm(dir, { recursive: true, force: true });
  });

  it('the signed link lives 15 minutes plus the file at 4 MiB/s, never more than the 7 days S3 and GCS allow', () => {
    expect(linkLifetimeSeconds(1)).toBe(15 * 60 + 1);
    expect(linkLifetimeSeconds(4 * 1024 * MiB)).toBe(15 * 60 + 1024);
    expect(linkLifetimeSeconds(10 * 1024 * 1024 * MiB)).toBe(7 * 24 * 3600);
  });
});

describe('cloud-side pull into Azure', () => {
  it('S3 -> Azure: the destination fetches each file from a presigned MinIO URL; job and files say cloud-pull; bytes, headers and metadata arrive', async () => {
    const { detail, prefix, told } = await copy('s3://minio/src/pull/', 'az://azpull/dst/', true);
    expect(detail.state).toBe('completed');
    expect(detail.path).toBe('cloud-pull');
    expect(detail.files.map((f) => f.path)).toEqual(['cloud-pull', 'cloud-pull']);
    // The single Put Blob From URL was checked by MD5 (x-ms-source-content-md5); the blocks by size.
    expect(detail.files.find((f) => f.source.endsWith('one.bin'))?.checksum).toBe('md5');
    expect(detail.files.find((f) => f.source.endsWith('big.bin'))?.checksum).toBe('size');
    // The MD5-checked pull is not read back afterwards; the blocks, checked only by length, are (a HEAD for the size).
    const after = (name: string): string[] => {
      const requests = proxy.passed.filter((r) => r.path.endsWith(`/${name}`)).map((r) => r.method);
      return requests.slice(requests.indexOf('PUT') + 1);
    };
    expect(after('one.bin')).toEqual([]);
    expect(after('big.bin').filter((m) => m === 'HEAD')).toHaveLength(1);
    const total = Object.values(FILES).reduce((a, b) => a + b, 0);
    expect(detail.bytesDone).toBe(total);

    const blobs = proxy.seen.filter((s) => s.op === 'put-blob-from-url');
    const blocks = proxy.seen.filter((s) => s.op === 'put-block-from-url');
    expect(blobs).toHaveLength(1);
    expect(blobs[0]?.sourceMd5).toBe(Buffer.from(md5s.get('pull/one.bin') ?? '', 'hex').toString('base64'));
    expect(blocks).toHaveLength(6);
    // The ranges cover big.bin exactly once.
    const ranges = blocks.map((b) => /bytes=(\d+)-(\d+)/.exec(b.range ?? '')).map((r) => [Number(r?.[1]), Number(r?.[2])] as const).sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (const [from, to] of ranges) {
      expect(from).toBe(next);
      next = to + 1;
    }
    expect(next).toBe(FILES['pull/big.bin']);
    for (const s of proxy.seen) expect(s.sourceStatus === 200 || s.sourceStatus === 206).toBe(true);

    // The link is a real presigned MinIO URL: anyone holding it gets the right bytes, so it is a credential…
    const link = blobs[0]?.source ?? '';
    expect(link.startsWith(minio.endpoint)).toBe(true);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(createHash('md5').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(md5s.get('pull/one.bin'));
    // …that appears nowhere the job writes or says anything.
    for (const s of proxy.seen) expect(told.includes(signatureOf(s.source))).toBe(false);
    expect(told).not.toMatch(SIGNATURE_PARAMS);
    expect(told).toContain('cloud-pull');

    await expectStored(prefix);
    expect(await azDirect.listPendingUploads?.('dst')).toEqual([]);
  });

  it('without the user allowing it, the same copy goes through the relay and the destination is never asked to pull', async () => {
    const { detail, prefix } = await copy('s3://minio/src/pull/', 'az://azpull/dst/', false);
    expect(detail.state).toBe('completed');
    expect(detail.path).toBe('relay');
    expect(proxy.seen).toHaveLength(0);
    await expectStored(prefix);
  });

  it('Azure -> Azure across two saved accounts: the destination pulls through a SAS link', async () => {
    const { detail, prefix, told } = await copy('az://azsrc/asrc/pull/', 'az://azpull/dst/', true);
    expect(detail.state).toBe('completed');
    expect(detail.path).toBe('cloud-pull');
    expect(proxy.seen.length).toBe(7);
    for (const s of proxy.seen) {
      expect(s.source).toContain('sig=');
      expect(told.includes(signatureOf(s.source))).toBe(false);
    }
    expect(told).not.toMatch(SIGNATURE_PARAMS);
    await expectStored(prefix);
  });

  it('GCS -> Azure: the destination pulls through a V4 signed URL', async () => {
    const { detail, prefix, told } = await copy('gs://gcs/gsrc/pull/', 'az://azpull/dst/', true);
    expect(detail.state).toBe('completed');
    expect(detail.path).toBe('cloud-pull');
    expect(detail.files.find((f) => f.source.endsWith('one.bin'))?.checksum).toBe('md5');
    expect(proxy.seen.length).toBe(7);
    for (const s of proxy.seen) {
      expect(s.source).toContain('X-Goog-Signature=');
      expect(told.includes(signatureOf(s.source))).toBe(false);
    }
    expect(told).not.toMatch(SIGNATURE_PARAMS);
    await expectStored(prefix);
  });

  it('a refused pull (CannotVerifyCopySource) falls back to the relay for that file, says so in its notice, and leaves no block behind', async () => {
    proxy.refuse = 1;
    const { detail, prefix, told } = await copy('s3://minio/src/pull/', 'az://azpull/dst/', true);
    expect(detail.state).toBe('completed');
    expect(detail.path).toBe('mixed');
    const relayed = detail.files.filter((f) => f.path === 'relay');
    expect(relayed).toHaveLength(1);
    expect(relayed[0]?.notice).toMatch(/could not pull it directly \(.*could not read the source from its signed link \(403\).*\); copied through this computer instead/);
    expect(detail.files.filter((f) => f.path === 'cloud-pull')).toHaveLength(1);
    for (const s of proxy.seen) expect(told.includes(signatureOf(s.source))).toBe(false);
    expect(told).not.toMatch(SIGNATURE_PARAMS);
    await expectStored(prefix);
    expect(await azDirect.listPendingUploads?.('dst')).toEqual([]);
  });

  it('a file whose pull was refused and whose relay then failed once says so after the retry, which goes straight to the relay', async () => {
    proxy.refuse = 1;
    faults.add({ match: (m, u) => m === 'GET' && u.startsWith('/src/pull/one.bin'), times: 1, fault: { kind: 'drop-response', afterBytes: 64 * 1024 } });
    const { detail, prefix, told } = await copy('s3://minio-f/src/pull/one.bin', 'az://azpull/dst/', true);
    expect(detail.state).toBe('completed');
    expect(faults.fired['drop-response']).toBe(1);
    const [f] = detail.files;
    expect(f?.attempts).toBe(2);
    expect(f?.path).toBe('relay');
    expect(f?.notice).toMatch(/^The destination could not pull it directly \(.*403.*\); copied through this computer instead$/);
    // One pull asked for, refused; the retry did not ask again.
    expect(proxy.seen).toHaveLength(1);
    expect(told.includes(signatureOf(proxy.seen[0]?.source ?? ''))).toBe(false);
    const body = (await azsdk.getContainerClient('dst').getBlobClient(`${prefix}one.bin`).downloadToBuffer());
    expect(createHash('md5').update(body).digest('hex')).toBe(md5s.get('pull/one.bin'));
  });

  it('Azurite itself (Put Blob / Put Block From URL not implemented): every file falls back to the relay with a notice', async () => {
    const { detail, prefix, told } = await copy('s3://minio/src/pull/', 'az://azurite/dst/', true);
    expect(detail.state).toBe('completed');
    expect(detail.path).toBe('relay');
    for (const f of detail.files) expect(f.notice).toMatch(/^The destination could not pull it directly \(.+\); copied through this computer instead/);
    expect(told).not.toMatch(SIGNATURE_PARAMS);
    await expectStored(prefix);
    expect(await azDirect.listPendingUploads?.('dst')).toEqual([]);
  });
});

describe('Provider.putFromUrl (Azure)', () => {
  it('an overwrite whose pull fails keeps the old blob; the error names the blob, never the link', async () => {
    const key = `run${run}/keep.bin`;
    await azDirect.put('dst', key, patternStream(1000, 5), { size: 1000 });
    const size = FILES['pull/big.bin'] ?? 0;
    const link = (await s3.presign?.('src', 'pull/big.bin', 600)) ?? '';
    proxy.refuse = 2;
    const failure = await azPull.putFromUrl?.('dst', key, link, { size }).then(() => undefined, (e: unknown) => e as Error);
    expect(failure?.message).toMatch(/could not read the source from its signed link/);
    expect(JSON.stringify({ message: failure?.message, cause: String(failure?.cause) })).not.toContain(signatureOf(link));
    const kept = await readAll(await azDirect.open('dst', key));
    expect(kept.length).toBe(1000);
    expect(createHash('md5').update(kept).digest('hex')).toBe(await md5OfPattern(1000, 5));
    expect(await azDirect.listPendingUploads?.('dst')).toEqual([]);
  });

  it('a source replaced while the destination pulls it: the pull checked against the old MD5 is refused, and the copy ends with the new bytes', async () => {
    const key = `changing/run${run}.bin`;
    const before = 2 * MiB + 5;
    const after = 2 * MiB + 9;
    await s3.put('src', key, patternStream(before, 71), { size: before });
    proxy.holdMs = 800;
    const events: Array<{ event: string; payload: unknown }> = [];
    const m = new JobManager({
      resolve: resolverFor({ minio: s3, azpull: azPull }),
      journalDir: journals,
      emit: (event, payload) => events.push({ event, payload }),
      progressIntervalMs: 20,
      retry: { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 3 },
    });
    const { id } = m.start({ kind: 'copy', sources: [`s3://minio/src/${key}`], destination: `az://azpull/dst/run${run}/`, options: { overwrite: 'always', verify: true, allowCloudPull: true } });
    // The pull has reached the destination, which fetches after its hold: the source is replaced meanwhile.
    const deadline = Date.now() + 10_000;
    while (!proxy.passed.some((r) => r.method === 'PUT' && r.path.endsWith(`/run${run}.bin`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await s3.put('src', key, patternStream(after, 72), { size: after });
    await m.waitForIdle();
    const detail = m.get(id).detail();
    await m.close();
    expect(detail.state, JSON.stringify(detail.files.map((f) => [f.state, f.error, f.notice, f.checksum]))).toBe('completed');
    const refused = proxy.seen.find((x) => x.op === 'put-blob-from-url');
    expect(refused?.sourceMd5).toBe(Buffer.from(await md5OfPattern(before, 71), 'hex').toString('base64'));
    // What the destination holds is the source as it is now, whole, and the report says how it was checked.
    const stored = await readAll(await azDirect.open('dst', `run${run}/run${run}.bin`));
    expect(stored.length).toBe(after);
    expect(createHash('md5').update(stored).digest('hex')).toBe(await md5OfPattern(after, 72));
    expect(detail.files[0]?.checksum).toMatch(/md5/);
  });

  it('pulled small files tell the adaptive limit how they fare: with every pull answered slowly, more go in flight than at the start', async () => {
    for (let from = 0; from < MANY; from += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, n) => s3.put('src', `many/f${String(from + n).padStart(4, '0')}.bin`, patternStream(1024, from + n), { size: 1024 })));
    }
    proxy.holdMs = 60;
    const { detail } = await copy('s3://minio/src/many/', 'az://azpull/dst/', true);
    expect(detail.state).toBe('completed');
    expect(detail.files.every((f) => f.path === 'cloud-pull')).toBe(true);
    expect(proxy.peakFromUrl).toBeGreaterThan(INITIAL_SMALL);
  });

  it('a source without a stored MD5 (an S3 multipart object) is pulled in parallel ranges, checked by size; one with an MD5 of the same size as one checked request', async () => {
    // Two parts (5 MiB and 1 MiB): MinIO stores a multipart ETag ("…-2") and no MD5 of the whole object. The same
    // size put in one request keeps its MD5.
    const size = 6 * MiB + 5;
    const multi = createS3Provider({ kind: 's3', name: 'minio-mp', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }, { multipart: { thresholdBytes: 1 * MiB, partSizeBytes: 5 * MiB, concurrency: 2 } });
    await multi.put('src', `parts${run}/multi.bin`, patternStream(size, 81), { size });
    await multi.close?.();
    await s3.put('src', `whole${run}/whole.bin`, patternStream(size, 82), { size });
    expect((await s3.stat('src', `parts${run}/multi.bin`)).checksums.md5).toBeUndefined();
    expect((await s3.stat('src', `whole${run}/whole.bin`)).checksums.md5).toBe(await md5OfPattern(size, 82));
    // Each range held a while: ranges of one object in flight together show as a peak over one.
    proxy.holdMs = 100;

    const ranged = await copy(`s3://minio/src/parts${run}/`, 'az://azpullwide/dst/', true);
    expect(ranged.detail.state).toBe('completed');
    expect(ranged.detail.files.map((f) => [f.path, f.checksum])).toEqual([['cloud-pull', 'size']]);
    const blocks = proxy.seen.filter((s) => s.op === 'put-block-from-url');
    expect(proxy.seen.filter((s) => s.op === 'put-blob-from-url')).toEqual([]);
    const ranges = blocks.map((b) => /bytes=(\d+)-(\d+)/.exec(b.range ?? '')).map((r) => [Number(r?.[1]), Number(r?.[2])] as const).sort((a, b) => a[0] - b[0]);
    expect(ranges).toHaveLength(7);
    let next = 0;
    for (const [from, to] of ranges) {
      expect(from).toBe(next);
      next = to + 1;
    }
    expect(next).toBe(size);
    expect(proxy.peakFromUrl).toBeGreaterThan(1);
    const stored = await readAll(await azDirect.open('dst', `${ranged.prefix}parts${run}/multi.bin`));
    expect(createHash('md5').update(stored).digest('hex')).toBe(await md5OfPattern(size, 81));

    proxy.reset();
    const whole = await copy(`s3://minio/src/whole${run}/`, 'az://azpullwide/dst/', true);
    expect(whole.detail.files.map((f) => [f.path, f.checksum])).toEqual([['cloud-pull', 'md5']]);
    expect(proxy.seen.map((s) => s.op)).toEqual(['put-blob-from-url']);
    expect(proxy.seen[0]?.sourceMd5).toBe(Buffer.from(await md5OfPattern(size, 82), 'hex').toString('base64'));
  });

  it('cancelling a pull in flight rejects as cancelled and writes nothing', async () => {
    const key = `run${run}/cancelled.bin`;
    const link = (await s3.presign?.('src', 'pull/one.bin', 600)) ?? '';
    proxy.holdMs = 1500;
    const ac = new AbortController();
    const t0 = Date.now();
    const pending = azPull.putFromUrl?.('dst', key, link, { size: FILES['pull/one.bin'] ?? 0, signal: ac.signal }).then(() => undefined, (e: unknown) => e);
    setTimeout(() => ac.abort(), 200);
    const failure = await pending;
    expect(failure).toMatchObject({ code: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(1500);
    // Past the proxy's hold: the request it would have answered was gone, and nothing was written.
    await new Promise((r) => setTimeout(r, 1600));
    expect(await azsdk.getContainerClient('dst').getBlobClient(key).exists()).toBe(false);
  });
});
