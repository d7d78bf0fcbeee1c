import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSummarySchema } from '../../../shared/contract/jobs.channels';
import { startMinio, type MinioHandle } from '../../../tools/emulators/emulators';
import { createFileKeyCipher } from '../accounts/secret-store';
import { createEngine, type EngineParts } from '../engine';
import type { Engine } from '../dispatch';
import { startRecordingProxy, type RecordingProxy } from '../test-support/recording-proxy';
import { call } from '../test-support/wait';

/**
 * The bandwidth limits measured on the wire: uploads from a local folder to MinIO through a proxy that counts the
 * bytes it forwards. A single PutObject streams its body, so the proxy sees the bytes as the limiter lets them go.
 */
const MiB = 1024 * 1024;
let minio: MinioHandle;
let proxy: RecordingProxy;
let engine: Engine & EngineParts;
let base: string;
let wall = new Date(2026, 11, 7, 10, 30);

/** The engine on the test's data folder: opened once, and again after a restart. */
async function openEngine(): Promise<Engine & EngineParts> {
  return createEngine({
    dataDir: path.join(base, 'data'),
    cipher: await createFileKeyCipher(path.join(base, 'keys', 'k')),
    clock: { now: () => wall, setTimer: () => () => undefined },
  });
}

/** Waits until `ok` holds, looking every 20 ms. */
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  minio = await startMinio();
  proxy = await startRecordingProxy(minio.endpoint);
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-bandwidth-'));
  engine = await openEngine();
  const secrets = { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
  await call(engine, 'accounts:save', { account: { kind: 's3', name: 'wire', region: minio.region, endpoint: proxy.endpoint, forcePathStyle: true, secrets } });
  const sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { ...secrets } });
  await sdk.send(new CreateBucketCommand({ Bucket: 'bwlimit' }));
  sdk.destroy();
  await mkdir(path.join(base, 'files'), { recursive: true });
}, 600_000);

afterAll(async () => {
  await engine?.close();
  await proxy?.close();
  await minio?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

interface Sample {
  t: number;
  bytes: number;
}

/** Uploads `size` bytes while sampling the proxy's count every 50 ms; `during` runs at the given seconds. */
async function upload(name: string, size: number, options: Record<string, unknown> = {}, during: Array<[number, (jobId: string) => Promise<void>]> = []): Promise<Sample[]> {
  const file = path.join(base, 'files', name);
  await writeFile(file, Buffer.alloc(size, 7));
  const before = proxy.bytes.up;
  const { id } = (await call(engine, 'jobs:start', { kind: 'copy', sources: [`file://${file}`], destination: 's3://wire/bwlimit/', options })) as { id: string };
  const t0 = performance.now();
  const samples: Sample[] = [];
  const pending = [...during].sort((a, b) => a[0] - b[0]);
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const t = (performance.now() - t0) / 1000;
    samples.push({ t, bytes: proxy.bytes.up - before });
    while (pending.length > 0 && (pending[0]?.[0] ?? Infinity) <= t) await pending.shift()?.[1](id);
    const job = JobSummarySchema.array().parse(await call(engine, 'jobs:list', {})).find((j) => j.id === id);
    if (job && ['completed', 'failed', 'cancelled'].includes(job.state)) {
      expect(job.state).toBe('completed');
      break;
    }
    if (t > 30) throw new Error('the upload took more than 30 s');
  }
  return samples;
}

/** Bytes per second at the proxy between two moments (seconds after the job started). */
function rate(samples: readonly Sample[], from: number, to: number): number {
  const at = (t: number): Sample => samples.find((s) => s.t >= t) ?? samples[samples.length - 1] ?? { t, bytes: 0 };
  const a = at(from);
  const b = at(to);
  return (b.bytes - a.bytes) / (b.t - a.t);
}

/** When the first and the last byte crossed the proxy. */
function span(samples: readonly Sample[], size: number): number {
  const first = samples.find((s) => s.bytes > 0)?.t ?? 0;
  const last = samples.find((s) => s.bytes >= size)?.t ?? Infinity;
  return last - first;
}

describe('bandwidth limits on the wire', () => {
  it('holds 4 MiB to 1 MiB/s: about 4 s on the wire, within 10 %', async () => {
    await call(engine, 'settings:setBandwidth', { limit: '1M' });
    const samples = await upload('steady.bin', 4 * MiB);
    const seconds = span(samples, 4 * MiB);
    expect(seconds).toBeGreaterThan(3.6 - 0.1);
    expect(seconds).toBeLessThan(4.4);
    const r = rate(samples, 0.5, 3.5);
    expect(r).toBeGreaterThan(0.9 * MiB);
    expect(r).toBeLessThan(1.1 * MiB);
  }, 60_000);

  it('a timetable change applies to the running job: 2 MiB/s, then 512 KiB/s from the next entry on', async () => {
    await call(engine, 'settings:setBandwidth', { limit: '10:00,2M 11:00,512k:off' });
    const setting = (await call(engine, 'settings:get', {})) as { bandwidth: { now: { up: number | null; down: number | null } } };
    expect(setting.bandwidth.now).toEqual({ up: 2 * MiB, down: 2 * MiB });
    const samples = await upload('timetable.bin', 3 * MiB, {}, [
      [
        1,
        async () => {
          wall = new Date(2026, 11, 7, 11, 0, 5);
          engine.bandwidth.refresh();
        },
      ],
    ]);
    const fast = rate(samples, 0.2, 0.9);
    const slow = rate(samples, 1.5, 2.5);
    expect(fast).toBeGreaterThan(0.85 * 2 * MiB);
    expect(fast).toBeLessThan(1.15 * 2 * MiB);
    expect(slow).toBeGreaterThan(0.85 * 0.5 * MiB);
    expect(slow).toBeLessThan(1.15 * 0.5 * MiB);
    expect(((await call(engine, 'settings:get', {})) as { bandwidth: { now: unknown } }).bandwidth.now).toEqual({ up: 0.5 * MiB, down: null });
  }, 60_000);

  it('a job’s own upload limit, changed while it runs (jobs:setLimit)', async () => {
    await call(engine, 'settings:setBandwidth', { limit: 'off' });
    const samples = await upload('per-job.bin', 3 * MiB, { limit: { up: 2 * MiB } }, [[1, (id) => call(engine, 'jobs:setLimit', { id, limit: { up: 512 * 1024 } }).then(() => undefined)]]);
    expect(rate(samples, 0.2, 0.9)).toBeGreaterThan(0.85 * 2 * MiB);
    expect(rate(samples, 0.2, 0.9)).toBeLessThan(1.15 * 2 * MiB);
    const slow = rate(samples, 1.5, 2.5);
    expect(slow).toBeGreaterThan(0.85 * 0.5 * MiB);
    expect(slow).toBeLessThan(1.15 * 0.5 * MiB);
  }, 60_000);

  it('a job’s own limit changed while it runs is journaled: after a restart the resumed job is paced by it', async () => {
    await call(engine, 'settings:setBandwidth', { limit: 'off' });
    const file = path.join(base, 'files', 'restart.bin');
    await writeFile(file, Buffer.alloc(4 * MiB, 9));
    const before = proxy.bytes.up;
    const { id } = (await call(engine, 'jobs:start', { kind: 'copy', sources: [`file://${file}`], destination: 's3://wire/bwlimit/', options: { limit: { up: 2 * MiB } } })) as { id: string };
    await until('the first bytes on the wire', () => proxy.bytes.up - before > 256 * 1024);
    await call(engine, 'jobs:setLimit', { id, limit: { up: 512 * 1024 } });
    // The engine stops mid-job (the app quits): the job is journaled as it stands.
    await engine.close();
    engine = await openEngine();
    // The restored job resumes on its own; its limit is the one set last, not the one it started with.
    await until('the resumed transfer', () => engine.bandwidth.jobLimit(id) !== undefined);
    expect(engine.bandwidth.jobLimit(id)).toEqual({ up: 512 * 1024, down: null });
    const samples: Sample[] = [];
    const start = proxy.bytes.up;
    const t0 = performance.now();
    while (performance.now() - t0 < 2600) {
      await new Promise((r) => setTimeout(r, 50));
      samples.push({ t: (performance.now() - t0) / 1000, bytes: proxy.bytes.up - start });
    }
    const r = rate(samples, 0.5, 2.5);
    expect(r).toBeGreaterThan(0.85 * 0.5 * MiB);
    expect(r).toBeLessThan(1.15 * 0.5 * MiB);
    await call(engine, 'jobs:cancel', { id });
  }, 60_000);

  it('a copy between two local folders is limited too (relayed instead of a disk copy)', async () => {
    await call(engine, 'settings:setBandwidth', { limit: '1M' });
    const file = path.join(base, 'files', 'local.bin');
    await writeFile(file, Buffer.alloc(2 * MiB, 3));
    const t0 = performance.now();
    const { id } = (await call(engine, 'jobs:start', { kind: 'copy', sources: [`file://${file}`], destination: `file://${base}/local-out/` })) as { id: string };
    for (let i = 0; i < 200; i++) {
      const job = JobSummarySchema.array().parse(await call(engine, 'jobs:list', {})).find((j) => j.id === id);
      if (job?.state === 'completed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeGreaterThan(1.7);
    expect(seconds).toBeLessThan(3);
    await call(engine, 'settings:setBandwidth', { limit: '' });
  }, 30_000);

  it('refuses a malformed limit with the word at fault', async () => {
    const r = await engine.invoke('settings:setBandwidth', { limit: '08:00,fast' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/"fast" is not a rate/);
  });
});

