import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMinio, type MinioHandle } from '../../../tools/emulators/emulators';
import { createLocalProvider } from '../providers/local/local.provider';
import type { Provider } from '../providers/provider';
import { createS3Provider } from '../providers/s3/s3.provider';
import { JobManager } from './job-manager';
import { resolverFor } from '../test-support/resolver';

/**
 * RELIABILITY "Destination disk full": a download onto a real, full file system (a 2 MiB tmpfs, mounted for the
 * test) fails that file with a clear error, leaves no temporary file and no partial file, keeps the previous
 * version of an overwritten file, and lets the files that fit finish. Mounting needs root (or CAP_SYS_ADMIN);
 * without it the test is skipped with that reason.
 */
const MiB = 1024 * 1024;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const pattern = (size: number, seed: number): Buffer => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
};

function tryMountTmpfs(dir: string): string | undefined {
  if (process.platform !== 'linux') return 'a tmpfs mount needs Linux';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `cannot mount a small tmpfs to fill (needs root): ${(e as Error).message.split('\n')[0] ?? ''}`;
  }
}

const base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-diskfull-'));
const mountPoint = path.join(base, 'disk');
await mkdir(mountPoint);
const skipReason = tryMountTmpfs(mountPoint);
if (skipReason) {
  console.warn(`jobs.diskfull skipped: ${skipReason}`);
  await rm(base, { recursive: true, force: true });
}

let minio: MinioHandle;
let sdk: S3Client;
let s3: Provider;
let disk: Provider;
const small = [pattern(64 * 1024, 1), pattern(96 * 1024, 2)];
const big = pattern(3 * MiB, 3);

describe.skipIf(skipReason !== undefined)('a download onto a full disk', () => {
  beforeAll(async () => {
    minio = await startMinio();
    sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    s3 = createS3Provider({ kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, checksumMode: 'when_supported' }, { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
    disk = createLocalProvider({ kind: 'local', name: 'disk', root: mountPoint });
    await s3.createBucket('src');
    await sdk.send(new PutObjectCommand({ Bucket: 'src', Key: 'in/a.bin', Body: small[0] }));
    await sdk.send(new PutObjectCommand({ Bucket: 'src', Key: 'in/b.bin', Body: small[1] }));
    await sdk.send(new PutObjectCommand({ Bucket: 'src', Key: 'in/huge.bin', Body: big }));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([s3?.close?.(), disk?.close?.()]);
    sdk?.destroy();
    await minio?.stop();
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch {
      // Already gone: nothing to undo.
    }
    await rm(base, { recursive: true, force: true });
  });

  it('fails the file that does not fit with "disk is full", leaves no temp or partial file, keeps the old version', async () => {
    const out = path.join(mountPoint, 'dl', 'in');
    await mkdir(out, { recursive: true });
    const previous = Buffer.from('the previous huge.bin, which must survive\n');
    await writeFile(path.join(out, 'huge.bin'), previous);

    const m = new JobManager({ resolve: resolverFor({ minio: s3, disk }) });
    const { id } = m.start({ kind: 'copy', sources: ['s3://minio/src/in/'], destination: 'file://disk/dl/', options: { overwrite: 'always' } });
    await m.waitForIdle();
    const d = m.get(id).detail();
    await m.close();

    expect(d.state).toBe('failed');
    const huge = d.files.find((f) => f.source.endsWith('/huge.bin'));
    expect(huge?.state).toBe('failed');
    expect(huge?.error?.message).toMatch(/disk is full/i);
    // Not a retry storm: a full disk does not empty itself between attempts.
    expect(huge?.attempts).toBe(1);
    for (const [i, name] of ['a.bin', 'b.bin'].entries()) {
      expect(d.files.find((f) => f.source.endsWith(`/${name}`))?.state).toBe('done');
      expect(md5(await readFile(path.join(out, name)))).toBe(md5(small[i] ?? Buffer.alloc(0)));
    }
    expect(await readFile(path.join(out, 'huge.bin'))).toEqual(previous);
    expect((await readdir(out)).sort()).toEqual(['a.bin', 'b.bin', 'huge.bin']);
  });
});
