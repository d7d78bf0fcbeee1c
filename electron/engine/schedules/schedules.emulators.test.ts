import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostHistorySchema } from '../../../shared/contract/costs.history';
import { JobSummarySchema } from '../../../shared/contract/jobs.channels';
import { SyncStatusSchema, type SyncStatus } from '../../../shared/contract/settings.channels';
import { startMinio, type MinioHandle } from '../../../tools/emulators/emulators';
import { createFileKeyCipher, type SecretCipher } from '../accounts/secret-store';
import type { Engine } from '../dispatch';
import { createEngine, type EngineParts } from '../engine';
import { call } from '../test-support/wait';
import type { ScheduleClock } from './scheduler';

/** Scheduled profile runs and scans, and a folder kept in sync, end to end through the engine against MinIO. */
let minio: MinioHandle;
let sdk: S3Client;
let base: string;
let cipher: SecretCipher;
let now = new Date(2026, 11, 7, 7, 0);
let timers: Array<{ at: number; fn: () => void }> = [];
const clock: ScheduleClock = {
  now: () => new Date(now),
  setTimer(at, fn) {
    const t = { at: at.getTime(), fn };
    timers.push(t);
    return () => (timers = timers.filter((x) => x !== t));
  },
};
function advance(to: Date): void {
  now = to;
  for (const t of timers.filter((x) => x.at <= to.getTime())) {
    timers = timers.filter((x) => x !== t);
    t.fn();
  }
}

const open = async (): Promise<Engine & EngineParts> => {
  const engine = await createEngine({ dataDir: path.join(base, 'data'), cipher, clock, syncQuietMs: 300 });
  return engine;
};

async function arrived(key: string, timeoutMs = 30_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = await sdk.send(new HeadObjectCommand({ Bucket: 'sched', Key: key })).then(
      () => true,
      () => false,
    );
    if (found) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

beforeAll(async () => {
  minio = await startMinio();
  const secrets = { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey };
  sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { ...secrets } });
  await sdk.send(new CreateBucketCommand({ Bucket: 'sched' }));
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-schedules-'));
  cipher = await createFileKeyCipher(path.join(base, 'keys', 'k'));
  const engine = await open();
  await call(engine, 'accounts:save', { account: { kind: 's3', name: 'minio', region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, secrets } });
  await engine.close();
}, 600_000);

afterAll(async () => {
  sdk?.destroy();
  await minio?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('schedules and keep in sync through the engine', () => {
  it('a scheduled profile run fires at the injected time and shows in Transfers; a scheduled scan records into the cost history', async () => {
    const engine = await open();
    try {
      const src = path.join(base, 'scheduled');
      await mkdir(src, { recursive: true });
      await writeFile(path.join(src, 'a.txt'), 'scheduled bytes');
      await call(engine, 'profiles:save', { name: 'daily', request: { source: `file://${src}/`, destinations: ['s3://minio/sched/daily/'] } });
      await call(engine, 'schedules:save', { target: { type: 'profile', name: 'daily' }, when: { kind: 'daily', time: '08:00' } });
      await call(engine, 'schedules:save', { target: { type: 'scan', uri: 's3://minio/sched/' }, when: { kind: 'daily', time: '09:00' } });
      advance(new Date(2026, 11, 7, 8, 0, 1));
      await engine.scheduler.idle();
      expect(await arrived('daily/a.txt', 5000)).toBe(true);
      const jobs = JobSummarySchema.array().parse(await call(engine, 'jobs:list', {}));
      expect(jobs.some((j) => j.state === 'completed')).toBe(true);
      const before = CostHistorySchema.parse(await call(engine, 'costs:history', {}));
      expect(before.runs.some((r) => r.t === 'migration')).toBe(true);
      expect(before.scans).toHaveLength(0);

      advance(new Date(2026, 11, 7, 9, 0, 1));
      await engine.scheduler.idle();
      const after = CostHistorySchema.parse(await call(engine, 'costs:history', { uri: 's3://minio/sched/' }));
      expect(after.scans).toHaveLength(1);
      const list = (await call(engine, 'schedules:list', {})) as Array<{ target: { type: string }; lastRun?: { outcome: string } }>;
      expect(list.map((s) => [s.target.type, s.lastRun?.outcome])).toEqual([
        ['profile', 'completed'],
        ['scan', 'completed'],
      ]);
      // A removed profile takes its schedule with it.
      await call(engine, 'profiles:remove', { name: 'daily' });
      expect(((await call(engine, 'schedules:list', {})) as unknown[]).length).toBe(1);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('a file written into a kept-in-sync folder arrives in the bucket; after a restart the folder is compared again', async () => {
    const folder = path.join(base, 'kept');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'first.txt'), 'there before');
    let engine = await open();
    try {
      await call(engine, 'profiles:save', { name: 'kept', request: { source: `file://${folder}/`, destinations: ['s3://minio/sched/kept/'] } });
      const statuses: SyncStatus[] = [];
      engine.subscribe((event, payload) => {
        if (event === 'sync:changed') statuses.push(SyncStatusSchema.parse(payload));
      });
      const started = SyncStatusSchema.parse(await call(engine, 'sync:start', { profile: 'kept' }));
      expect(started).toMatchObject({ profile: 'kept', folder, state: 'comparing' });
      expect(await arrived('kept/first.txt')).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      await writeFile(path.join(folder, 'second.txt'), 'written while watched');
      expect(await arrived('kept/second.txt')).toBe(true);
      expect(statuses.some((s) => s.pending > 0)).toBe(true);
      for (let i = 0; i < 100 && SyncStatusSchema.array().parse(await call(engine, 'sync:list', {}))[0]?.state !== 'watching'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(SyncStatusSchema.array().parse(await call(engine, 'sync:list', {}))[0]).toMatchObject({ state: 'watching', pending: 0 });
      await engine.close();

      // Written while nothing watched: the restart's full compare sends it.
      await writeFile(path.join(folder, 'third.txt'), 'written while closed');
      engine = await open();
      expect(SyncStatusSchema.array().parse(await call(engine, 'sync:list', {}))[0]?.profile).toBe('kept');
      expect(await arrived('kept/third.txt')).toBe(true);
      await call(engine, 'sync:stop', { profile: 'kept' });
      expect(await call(engine, 'sync:list', {})).toEqual([]);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('refuses to keep a profile in sync whose source is not a local folder', async () => {
    const engine = await open();
    try {
      await call(engine, 'profiles:save', { name: 'cloud', request: { source: 's3://minio/sched/', destinations: ['file:///tmp/x/'] } });
      const r = await engine.invoke('sync:start', { profile: 'cloud' });
      expect(!r.ok && r.error.message).toMatch(/only a profile whose source is a local folder/);
    } finally {
      await engine.close();
    }
  });
});
