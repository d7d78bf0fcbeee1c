import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMinio, type MinioHandle } from '../../tools/emulators/emulators';
import { createFileKeyCipher } from '../engine/accounts/secret-store';
import { createEngine } from '../engine/engine';
import { lockDataDir } from '../host/data-dir';
import { startFaultProxy, type FaultProxy } from '../engine/test-support/fault-proxy';
import { call } from '../engine/test-support/wait';

/**
 * The command line as people and scripts run it: the built dist/cli/skyferry.js as a child process, on a data folder whose
 * account points at MinIO (through a fault proxy, to slow or break requests). Exit codes, --json and the journal's
 * resume after a SIGKILL are checked from outside, as a cron job would see them.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BUILT = path.join(ROOT, 'dist', 'cli', 'skyferry.js');

let minio: MinioHandle;
let proxy: FaultProxy;
let s3: S3Client;
let base: string;
let dataDir: string;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function skyferry(args: string[], options: { onStderr?: (line: string, kill: () => void) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT, ...args], {
      cwd: base,
      env: { ...process.env, SKYFERRY_DATA_DIR: dataDir, SKYFERRY_PROGRESS_MS: '50', SKYFERRY_LOG_LEVEL: 'warn', VITEST: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onStderr?.(line, () => child.kill('SIGKILL'));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function json<T>(args: string[], expectedCode = 0): Promise<T> {
  const run = await skyferry(['--json', ...args]);
  expect(run.code, run.stderr).toBe(expectedCode);
  return JSON.parse(run.stdout) as T;
}

async function objectMd5(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return createHash('md5').update(await out.Body!.transformToByteArray()).digest('hex');
}

async function objectText(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  // The bundle the `skyferry` bin runs (rebuilt only when its inputs changed).
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--only=cli'], { cwd: ROOT, stdio: 'inherit' });
  minio = await startMinio();
  proxy = await startFaultProxy(minio.endpoint);
  s3 = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-cli-'));
  dataDir = path.join(base, 'data');
  // The account is saved the way the served mode saves it: same folder, same key file.
  const engine = await createEngine({ dataDir, cipher: await createFileKeyCipher(path.join(dataDir, 'secrets.key')) });
  await call(engine, 'accounts:save', {
    account: { kind: 's3', name: 'minio', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } },
  });
  for (const bucket of ['work', 'resume', 'mirror', 'versioned']) await call(engine, 'buckets:create', { account: 'minio', bucket });
  await call(engine, 'versions:configure', { uri: 's3://minio/versioned/', versioning: 'enabled' });
  await engine.close();
  await mkdir(path.join(base, 'src', 'sub'), { recursive: true });
  await writeFile(path.join(base, 'src', 'a.txt'), 'alpha');
  await writeFile(path.join(base, 'src', 'sub', 'b.txt'), 'bravo');
}, 600_000);

afterAll(async () => {
  s3?.destroy();
  await proxy?.close();
  await minio?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('skyferry', () => {
  it('answers --help for every verb, with the exit codes', async () => {
    const root = await skyferry(['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/Exit codes:[\s\S]*0 +success[\s\S]*1 +failure[\s\S]*2 +partial/);
    for (const verb of ['ls', 'cp', 'mv', 'rm', 'sync', 'migrate', 'jobs', 'accounts', 'costs scan', 'presign', 'jobs resume', 'jobs cancel', 'versions', 'versions ls', 'versions restore', 'versions rm', 'versions undelete']) {
      const help = await skyferry([...verb.split(' '), '--help']);
      expect(help.code, verb).toBe(0);
      expect(help.stdout, verb).toContain(`Usage: skyferry ${verb}`);
    }
  });

  it('lists accounts as JSON without a secret', async () => {
    const run = await skyferry(['accounts', '--json']);
    expect(run.code).toBe(0);
    const accounts = JSON.parse(run.stdout) as Array<{ settings: { name: string }; hasSecrets: boolean }>;
    expect(accounts.map((a) => a.settings.name)).toContain('minio');
    expect(run.stdout).not.toContain(minio.secretAccessKey);
  });

  it('copies a folder, never replaces by default, replaces with --overwrite always, lists, and removes', async () => {
    const first = await json<{ job: { state: string; filesTotal: number }; skipped: number }>(['cp', './src/', 's3://minio/work/up/']);
    expect(first).toMatchObject({ job: { state: 'completed', filesTotal: 2 }, skipped: 0 });
    expect(await objectMd5('work', 'up/src/sub/b.txt')).toBe(md5('bravo'));

    await writeFile(path.join(base, 'src', 'a.txt'), 'alpha, changed');
    const again = await skyferry(['cp', './src/', 's3://minio/work/up/']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/2 skipped/);
    expect(await objectMd5('work', 'up/src/a.txt')).toBe(md5('alpha'));
    expect(await json(['cp', '--overwrite', 'always', './src/a.txt', 's3://minio/work/up/src/'])).toMatchObject({ job: { state: 'completed' }, skipped: 0 });
    expect(await objectMd5('work', 'up/src/a.txt')).toBe(md5('alpha, changed'));

    const listed = await json<{ entries: Array<{ key: string }> }>(['ls', '-R', 's3://minio/work/up/']);
    expect(listed.entries.map((e) => e.key).sort()).toEqual(['up/src/a.txt', 'up/src/sub/b.txt']);
    const plain = await skyferry(['ls', 's3://minio/work/up/src/']);
    expect(plain.stdout.split('\n')).toEqual(['sub/', 'a.txt', '']);

    const refused = await skyferry(['rm', 's3://minio/work/up/']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--recursive/);
    expect(await json(['rm', '-r', 's3://minio/work/up/'])).toMatchObject({ job: { state: 'completed', kind: 'delete' } });
    expect((await json<{ entries: unknown[] }>(['ls', '-R', 's3://minio/work/up/'])).entries).toEqual([]);
  });

  it('exits 1 on failure and 2 when some files failed, with the failures in --json', async () => {
    const unknown = await skyferry(['cp', './src/a.txt', 's3://nobody/bucket/']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no account named "nobody"/);

    await writeFile(path.join(base, 'src', 'broken.txt'), 'refused by the store');
    proxy.add({ match: (method, url) => method === 'PUT' && url.includes('broken.txt'), times: 1000, fault: { kind: 'status', status: 501 } });
    try {
      const partial = await json<{ job: { state: string }; failed: Array<{ source: string; error: string }> }>(['cp', './src/', 's3://minio/work/partial/'], 2);
      expect(partial.job.state).toBe('failed');
      expect(partial.failed.map((f) => path.basename(f.source))).toEqual(['broken.txt']);
    } finally {
      proxy.reset();
      await rm(path.join(base, 'src', 'broken.txt'));
    }
    expect(await objectMd5('work', 'partial/src/sub/b.txt')).toBe(md5('bravo'));
  });

  it('refuses a second process on the same data folder with a clear message', async () => {
    const release = lockDataDir(dataDir, 'served');
    try {
      const run = await skyferry(['ls']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/in use by another Skyferry process \(served, pid \d+/);
    } finally {
      release();
    }
    expect((await skyferry(['ls'])).code).toBe(0);
  });

  it('resumes a cp killed mid-way with jobs resume: every byte arrives', async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 12; i++) {
      const body = randomBytes(64 * 1024 + i);
      files.set(`f${String(i).padStart(2, '0')}.bin`, body);
      await mkdir(path.join(base, 'big'), { recursive: true });
      await writeFile(path.join(base, 'big', `f${String(i).padStart(2, '0')}.bin`), body);
    }
    // Two uploads go through, every later one hangs: the kill lands with 2 files done and 10 not.
    proxy.add({ match: (method) => method === 'PUT', times: 2, fault: { kind: 'delay-request', ms: 50 } });
    proxy.add({ match: (method) => method === 'PUT', times: 1000, fault: { kind: 'stall-request', afterBytes: 0 } });
    let id = '';
    let killedAt = -1;
    const killed = await skyferry(['cp', './big/', 's3://minio/resume/'], {
      onStderr: (line, kill) => {
        id ||= /^job (\S+) started/.exec(line)?.[1] ?? '';
        const done = /: (\d+)\/12 files/.exec(line);
        if (killedAt < 0 && done && Number(done[1]) >= 2) {
          killedAt = Number(done[1]);
          kill();
        }
      },
    });
    proxy.reset();
    await proxy.settled();
    expect(killed.signal).toBe('SIGKILL');
    expect(id).not.toBe('');

    expect(killedAt).toBe(2);
    const resumed = await json<{ job: { id: string; state: string; filesDone: number } }>(['jobs', 'resume', id]);
    expect(resumed.job).toMatchObject({ id, state: 'completed', filesDone: 12 });
    const listed = await json<Array<{ id: string; state: string }>>(['jobs']);
    expect(listed.find((j) => j.id === id)?.state).toBe('completed');
    for (const [name, body] of files) expect(await objectMd5('resume', `big/${name}`), name).toBe(md5(body));
  });

  it('cancels a job left by a killed cp; mv moves', async () => {
    proxy.add({ match: (method) => method === 'PUT', times: 1000, fault: { kind: 'stall-request', afterBytes: 0 } });
    let id = '';
    try {
      await skyferry(['cp', './src/', 's3://minio/work/cancelled/'], {
        onStderr: (line, kill) => {
          id ||= /^job (\S+) started/.exec(line)?.[1] ?? '';
          if (id) kill();
        },
      });
      // The stall stays while the job is cancelled, so that nothing could finish it first.
      expect(await json(['jobs', 'cancel', id])).toEqual({ id, state: 'cancelled' });
    } finally {
      proxy.reset();
    }
    expect((await json<Array<{ id: string; state: string }>>(['jobs', 'list'])).find((j) => j.id === id)?.state).toBe('cancelled');

    await writeFile(path.join(base, 'moving.txt'), 'on its way');
    expect(await json(['mv', './moving.txt', 's3://minio/work/moved/'])).toMatchObject({ job: { kind: 'move', state: 'completed' } });
    expect(await objectMd5('work', 'moved/moving.txt')).toBe(md5('on its way'));
    await expect(readFile(path.join(base, 'moving.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('syncs with a plan, --dry-run and a delete cap', async () => {
    const mirror = path.join(base, 'mirror');
    await mkdir(mirror);
    await writeFile(path.join(mirror, 'one.txt'), 'one');
    await writeFile(path.join(mirror, 'two.txt'), 'two');
    const first = await skyferry(['sync', './mirror', 's3://minio/mirror/m/']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/new 2 \(6 B\)/);

    await rm(path.join(mirror, 'two.txt'));
    const dry = await json<{ state: string; deletionsPlanned: number }>(['sync', '--dry-run', '--max-delete', '5', './mirror/', 's3://minio/mirror/m/']);
    expect(dry).toMatchObject({ state: 'planned', deletionsPlanned: 1 });
    const capped = await skyferry(['sync', './mirror/', 's3://minio/mirror/m/']);
    expect(capped.code).toBe(1);
    expect(capped.stdout).toMatch(/more than --max-delete 0; nothing was changed/);
    expect(await objectMd5('mirror', 'm/two.txt')).toBe(md5('two'));
    expect(await json(['sync', '--max-delete', '1', './mirror/', 's3://minio/mirror/m/'])).toMatchObject({ state: 'completed', report: { deleted: 1 } });
    expect((await json<{ entries: Array<{ key: string }> }>(['ls', '-R', 's3://minio/mirror/m/'])).entries.map((e) => e.key)).toEqual(['m/one.txt']);
  });

  it('runs a YAML migration profile, and names the line and field of a broken one', async () => {
    const good = `name: to-minio\nsource: file://${base}/src/\ndestinations:\n  - s3://minio/work/migrated/\ncompare: size+checksum\n`;
    await writeFile(path.join(base, 'good.yaml'), good);
    const run = await json<{ state: string; name: string; report: { copied: number } }>(['migrate', '--profile', 'good.yaml']);
    expect(run).toMatchObject({ state: 'completed', name: 'to-minio', report: { copied: 2 } });
    expect(await objectMd5('work', 'migrated/sub/b.txt')).toBe(md5('bravo'));

    await writeFile(path.join(base, 'bad.yaml'), good.replace('compare: size+checksum', 'compare: size+checksum\ndeletions:\n  enabled: yes please'));
    const bad = await skyferry(['migrate', '--profile', 'bad.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.yaml, line 7, field deletions\.enabled: /);
    const missing = await skyferry(['migrate', '--profile', 'no-such-profile']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no migration profile named "no-such-profile"/);
  });

  it('presigns a link that reads the object, and scans costs', async () => {
    await json(['cp', './src/sub/b.txt', 's3://minio/work/shared/']);
    const link = await json<{ url: string; expires: string }>(['presign', '--expires', '15m', 's3://minio/work/shared/b.txt']);
    expect(await (await fetch(link.url)).text()).toBe('bravo');
    const scan = await json<{ state: string; totals: { objects: number } }>(['costs', 'scan', 's3://minio/work/shared/']);
    expect(scan).toMatchObject({ state: 'done', totals: { objects: 1 } });
  });

  it('lists, restores and deletes versions with the engine\'s guards; undeletes', async () => {
    for (const body of ['one', 'two!', 'three']) await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', Body: body }));
    const uri = 's3://minio/versioned/doc.txt';
    interface Listed {
      versions: Array<{ versionId: string; isCurrent: boolean; size: number; kind: string }>;
    }
    const listed = await json<Listed>(['versions', 'ls', uri]);
    expect(listed.versions.map((v) => [v.size, v.isCurrent])).toEqual([
      [5, true],
      [4, false],
      [3, false],
    ]);
    const [current, middle, oldest] = listed.versions;
    const plain = await skyferry(['versions', 'ls', uri]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^VERSION +CURRENT +KIND +SIZE[\\s\\S]*${current!.versionId} +current +version +5 `, 'm'));

    // The current version is refused without --current; a version whose size is not the one confirmed is refused.
    const refusedCurrent = await skyferry(['versions', 'rm', uri, current!.versionId]);
    expect(refusedCurrent.code).toBe(1);
    expect(refusedCurrent.stderr).toMatch(/That is the current version of/);
    const refusedSize = await skyferry(['--json', 'versions', 'rm', '--size', '99', uri, oldest!.versionId]);
    expect(refusedSize.code).toBe(1);
    expect(JSON.parse(refusedSize.stdout)).toMatchObject({ error: { code: 'conflict' } });
    expect(refusedSize.stderr).toMatch(/holds 3 bytes, not the 99 confirmed/);
    const unknown = await skyferry(['versions', 'rm', uri, 'no-such-version']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/has no version no-such-version/);
    const folder = await skyferry(['versions', 'ls', 's3://minio/versioned/']);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toMatch(/is a folder/);
    expect((await json<Listed>(['versions', 'ls', uri])).versions).toHaveLength(3);

    // Restore makes the oldest current again; every version stays.
    expect(await json(['versions', 'restore', uri, oldest!.versionId])).toEqual({ uri, versionId: oldest!.versionId, restored: true });
    expect(await objectText('versioned', 'doc.txt')).toBe('one');
    expect((await json<Listed>(['versions', 'ls', uri])).versions).toHaveLength(4);

    // One noncurrent version goes, with the size it holds.
    const removed = await skyferry(['versions', 'rm', '--size', '4', uri, middle!.versionId]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/deleted 1 version \(4 B\)/);
    const after = await json<Listed>(['versions', 'ls', uri]);
    expect(after.versions.map((v) => v.versionId)).not.toContain(middle!.versionId);
    expect(after.versions).toHaveLength(3);

    // A deleted object shows under --deleted and comes back with undelete.
    expect(await json(['rm', uri])).toMatchObject({ job: { state: 'completed', kind: 'delete' } });
    const deleted = await json<{ entries: Array<{ key: string }> }>(['versions', 'ls', '--deleted', 's3://minio/versioned/']);
    expect(deleted.entries.map((e) => e.key)).toEqual(['doc.txt']);
    expect(await json(['versions', 'undelete', uri])).toEqual({ uri, undeleted: true });
    expect(await objectText('versioned', 'doc.txt')).toBe('one');
    expect((await json<{ entries: unknown[] }>(['versions', 'ls', '--deleted', 's3://minio/versioned/'])).entries).toEqual([]);
  });
});
