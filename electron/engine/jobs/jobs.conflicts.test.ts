import { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStartRequestSchema, type JobDetail, type JobStartRequest } from '../../../shared/contract/jobs.channels';
import { startAzurite, startMinio, type AzuriteHandle, type MinioHandle } from '../../../tools/emulators/emulators';
import { createAzureProvider } from '../providers/azure/azure.provider';
import { readAll } from '../test-support/conformance/data';
import { createLocalProvider } from '../providers/local/local.provider';
import { statIfAny, type Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { findConflicts } from './conflicts';
import { JobManager } from './job-manager';
import { resolverFor } from '../test-support/resolver';
import { keepBothName } from './transfer';

/**
 * Nothing at a destination is replaced unless the job says so. The source is MinIO; the destinations are MinIO
 * (a server-side copy), Azurite (the relay) and a local folder (a download). Each test writes its own folder.
 */
let minio: MinioHandle;
let az: AzuriteHandle;
let tmp: string;
let providers: Record<string, Provider>;
const DESTINATIONS = { s3: 's3://minio/dst', azure: 'az://azure/dst', local: 'file://disk/dst' } as const;
type Dest = keyof typeof DESTINATIONS;
let run = 0;

beforeAll(async () => {
  [minio, az] = await Promise.all([startMinio(), startAzurite()]);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'skyferry-conflicts-'));
  providers = {
    minio: createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey }),
    azure: createAzureProvider({ kind: 'azure', name: 'azure', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint }, { accountKey: az.accountKey }),
    disk: createLocalProvider({ kind: 'local', name: 'disk', root: tmp }),
  };
  await providers.minio?.createBucket('src');
  for (const p of Object.values(providers)) await p.createBucket('dst');
}, 600_000);

afterAll(async () => {
  await Promise.all(Object.values(providers ?? {}).map((p) => p.close?.()));
  await Promise.all([minio?.stop(), az?.stop()]);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function at(uri: string): { provider: Provider; bucket: string; key: string } {
  const m = /^\w+:\/\/([^/]+)\/([^/]+)\/(.*)$/.exec(uri);
  const provider = m && providers[m[1] ?? ''];
  if (!m || !provider) throw new Error(uri);
  return { provider, bucket: m[2] ?? '', key: m[3] ?? '' };
}

async function write(uri: string, text: string): Promise<void> {
  const { provider, bucket, key } = at(uri);
  const body = Buffer.from(text);
  await provider.put(bucket, key, Readable.from([body]), { size: body.length });
}

async function read(uri: string): Promise<string | undefined> {
  const { provider, bucket, key } = at(uri);
  if ((await statIfAny(provider, bucket, key)) === undefined) return undefined;
  return (await readAll(await provider.open(bucket, key))).toString();
}

/** A fresh source folder and destination folder: the destination holds report.pdf (older, other bytes) and notes.txt (the same bytes). */
async function scene(dest: Dest): Promise<{ src: string; dst: string }> {
  run++;
  const src = `s3://minio/src/t${run}/`;
  const dst = `${DESTINATIONS[dest]}/t${run}/`;
  await write(`${dst}report.pdf`, 'old report');
  await write(`${dst}notes.txt`, 'same notes');
  // S3 and Azure keep modification times to the second: the source is written strictly later.
  await new Promise((r) => setTimeout(r, 1100));
  await write(`${src}report.pdf`, 'NEW REPORT, longer');
  await write(`${src}notes.txt`, 'same notes');
  await write(`${src}fresh.txt`, 'fresh');
  return { src, dst };
}

async function job(request: JobStartRequest): Promise<JobDetail> {
  const m = new JobManager({ resolve: resolverFor(providers), retry: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
  try {
    const { id } = m.start(JobStartRequestSchema.parse(request));
    await m.waitForIdle();
    return m.get(id).detail();
  } finally {
    await m.close();
  }
}

function copyAll(src: string, dst: string, options: JobStartRequest['options'] = {}): Promise<JobDetail> {
  return job({ kind: 'copy', sources: [`${src}report.pdf`, `${src}notes.txt`, `${src}fresh.txt`], destination: dst, options });
}

describe('keep-both names', () => {
  it('numbers the name before its last extension, a name without one at its end, a folder marker by its folder name', () => {
    expect(keepBothName('a/report.pdf', 1)).toBe('a/report (1).pdf');
    expect(keepBothName('README', 2)).toBe('README (2)');
    expect(keepBothName('x/.env', 1)).toBe('x/.env (1)');
    expect(keepBothName('a.tar.gz', 1)).toBe('a.tar (1).gz');
    expect(keepBothName('p/photos/', 3)).toBe('p/photos (3)/');
  });
});

for (const dest of Object.keys(DESTINATIONS) as Dest[]) {
  describe(`conflicts at ${dest}`, () => {
    it('the check lists each existing target with both sides, and nothing else', async () => {
      const { src, dst } = await scene(dest);
      const report = await findConflicts({ kind: 'copy', sources: [src], destination: dst }, resolverFor(providers), new AbortController().signal);
      // The folder is copied under its own name: nothing conflicts there.
      expect(report).toMatchObject({ conflicts: [], truncated: false, files: 3 });
      const direct = await findConflicts({ kind: 'copy', sources: [`${src}report.pdf`, `${src}notes.txt`, `${src}fresh.txt`], destination: dst }, resolverFor(providers), new AbortController().signal);
      expect(direct.truncated).toBe(false);
      expect(direct.conflicts.map((c) => c.name).sort()).toEqual(['notes.txt', 'report.pdf']);
      const r = direct.conflicts.find((c) => c.name === 'report.pdf');
      expect(r?.source).toMatchObject({ uri: `${src}report.pdf`, size: 18 });
      expect(r?.destination).toMatchObject({ uri: `${dst}report.pdf`, size: 10 });
      expect(Date.parse(r?.source.modified ?? '')).toBeGreaterThan(Date.parse(r?.destination.modified ?? ''));
      const capped = await findConflicts({ kind: 'copy', sources: [`${src}report.pdf`, `${src}notes.txt`], destination: dst }, resolverFor(providers), new AbortController().signal, 1);
      expect(capped.conflicts).toHaveLength(1);
      expect(capped.truncated).toBe(true);
    });

    it('a job that names no mode keeps the existing bytes and says each file exists (the guard)', async () => {
      const { src, dst } = await scene(dest);
      const detail = await copyAll(src, dst);
      expect(detail.state).toBe('completed');
      expect(await read(`${dst}report.pdf`)).toBe('old report');
      expect(await read(`${dst}fresh.txt`)).toBe('fresh');
      const skipped = detail.files.filter((f) => f.state === 'skipped');
      expect(skipped.map((f) => f.destination).sort()).toEqual([`${dst}notes.txt`, `${dst}report.pdf`]);
      for (const f of skipped) expect(f.notice).toMatch(/exists at the destination/);
    });

    it("'always' replaces", async () => {
      const { src, dst } = await scene(dest);
      expect((await copyAll(src, dst, { overwrite: 'always' })).state).toBe('completed');
      expect(await read(`${dst}report.pdf`)).toBe('NEW REPORT, longer');
    });

    it("'keepBoth' writes the next free name and leaves the original byte-identical", async () => {
      const { src, dst } = await scene(dest);
      await write(`${dst}report (1).pdf`, 'an earlier copy');
      const detail = await copyAll(src, dst, { overwrite: 'keepBoth' });
      expect(detail.state).toBe('completed');
      expect(await read(`${dst}report.pdf`)).toBe('old report');
      expect(await read(`${dst}report (1).pdf`)).toBe('an earlier copy');
      expect(await read(`${dst}report (2).pdf`)).toBe('NEW REPORT, longer');
      expect(await read(`${dst}notes (1).txt`)).toBe('same notes');
      expect(await read(`${dst}fresh.txt`)).toBe('fresh');
      expect(await read(`${dst}fresh (1).txt`)).toBeUndefined();
      expect(detail.files.find((f) => f.destination === `${dst}report.pdf`)?.notice).toMatch(/written as report \(2\)\.pdf/);
    });

    it("'ifNewer' replaces an older target and keeps a newer one", async () => {
      const { src, dst } = await scene(dest);
      // notes.txt at the destination is now newer than the source's.
      await write(`${dst}notes.txt`, 'newer notes');
      const detail = await copyAll(src, dst, { overwrite: 'ifNewer' });
      expect(detail.state).toBe('completed');
      expect(await read(`${dst}report.pdf`)).toBe('NEW REPORT, longer');
      expect(await read(`${dst}notes.txt`)).toBe('newer notes');
    });

    it("'ifDifferent' replaces what differs and skips what is the same", async () => {
      const { src, dst } = await scene(dest);
      const detail = await copyAll(src, dst, { overwrite: 'ifDifferent' });
      expect(detail.state).toBe('completed');
      expect(await read(`${dst}report.pdf`)).toBe('NEW REPORT, longer');
      expect(detail.files.find((f) => f.destination === `${dst}notes.txt`)?.state).toBe('skipped');
    });

    it('per-file decisions win over the answer for all', async () => {
      const { src, dst } = await scene(dest);
      const detail = await copyAll(src, dst, { overwrite: 'never', decisions: { [`${dst}report.pdf`]: 'keepBoth', [`${dst}notes.txt`]: 'always' } });
      expect(detail.state).toBe('completed');
      expect(await read(`${dst}report.pdf`)).toBe('old report');
      expect(await read(`${dst}report (1).pdf`)).toBe('NEW REPORT, longer');
      expect(detail.files.find((f) => f.destination === `${dst}notes.txt`)?.state).toBe('done');
    });

    it('a rename onto an existing name is refused without confirmation, and both objects stay', async () => {
      run++;
      const base = `${DESTINATIONS[dest]}/r${run}/`;
      await write(`${base}draft.docx`, 'draft');
      await write(`${base}final.docx`, 'final');
      const refused = await job({ kind: 'move', sources: [`${base}draft.docx`], destination: `${base}final.docx`, options: { destinationIsExact: true } });
      expect(refused.state).toBe('failed');
      expect(refused.files[0]?.error).toMatchObject({ code: 'conflict' });
      expect(refused.files[0]?.error?.message).toMatch(/final\.docx already exists/);
      expect(await read(`${base}draft.docx`)).toBe('draft');
      expect(await read(`${base}final.docx`)).toBe('final');
      const confirmed = await job({ kind: 'move', sources: [`${base}draft.docx`], destination: `${base}final.docx`, options: { destinationIsExact: true, overwrite: 'always' } });
      expect(confirmed.state).toBe('completed');
      expect(await read(`${base}final.docx`)).toBe('draft');
      expect(await read(`${base}draft.docx`)).toBeUndefined();
    });
  });
}

describe('keep both inside one job', () => {
  it('a planned name is not taken by another file kept beside its original', async () => {
    run++;
    const src = `s3://minio/src/k${run}/`;
    const dst = `file://disk/dst/k${run}/`;
    await write(`${dst}a.txt`, 'original');
    await write(`${src}a.txt`, 'second a');
    await write(`${src}a (1).txt`, 'planned a (1)');
    const detail = await job({ kind: 'copy', sources: [`${src}a.txt`, `${src}a (1).txt`], destination: dst, options: { overwrite: 'keepBoth' } });
    expect(detail.state).toBe('completed');
    expect(await read(`${dst}a.txt`)).toBe('original');
    expect(await read(`${dst}a (1).txt`)).toBe('planned a (1)');
    expect(await read(`${dst}a (2).txt`)).toBe('second a');
  });
});
