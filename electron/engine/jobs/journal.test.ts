import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobOptionsSchema } from '../../../shared/contract/jobs.channels';
import { createLocalProvider } from '../providers/local/local.provider';
import { JobManager } from './job-manager';
import { parseLocation } from '../../../shared/location';
import { readJournal } from './journal';
import type { FinishedJob } from './request-count';
import { withFaults } from '../test-support/faulty-provider';
import { resolverFor } from '../test-support/resolver';

const FILES = 16;
const SIZE = 256 * 1024;
let work: string;

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
function data(i: number): Buffer {
  return Buffer.alloc(SIZE, i + 1).fill(`file ${i} `, 0, 16);
}

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skyferry-crash-'));
  await mkdir(path.join(work, 'src', 'bkt', 'data'), { recursive: true });
  await mkdir(path.join(work, 'dst', 'out'), { recursive: true });
  for (let i = 0; i < FILES; i++) await writeFile(path.join(work, 'src', 'bkt', 'data', `f${String(i).padStart(2, '0')}.bin`), data(i));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function finishedIn(journalDir: string, file: string): Set<number> {
  const done = new Set<number>();
  for (const r of readJournal(path.join(journalDir, file))) if (r.t === 'file' && r.state === 'done') done.add(r.i);
  return done;
}

describe('journal: crash resume', () => {
  it('a job killed with SIGKILL mid-way resumes in a new process without redoing finished files', async () => {
    // node itself with tsx as a loader (not the tsx CLI, which would fork a grandchild that outlives the kill).
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('electron/engine/test-support/crash-child.ts'), work], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const dones = [...out.matchAll(/done (\d+)/g)].map((m) => Number(m[1]));
        if (Math.max(0, ...dones) >= 5) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(out).not.toMatch(/finished/);

    const journalDir = path.join(work, 'journal');
    const [journalFile] = await readdir(journalDir);
    expect(journalFile).toBeDefined();
    const doneBeforeKill = finishedIn(journalDir, journalFile ?? '');
    expect(doneBeforeKill.size).toBeGreaterThanOrEqual(5);
    expect(doneBeforeKill.size).toBeLessThan(FILES);
    // A kill can tear the last line; the journal must shrug it off.
    await appendFile(path.join(journalDir, journalFile ?? ''), '{"t":"file","i":3,"sta');

    // The request counts of the killed run, as its journal last saved them (every 100 ms in the child).
    const saved = readJournal(path.join(journalDir, journalFile ?? '')).findLast((r) => r.t === 'requests');
    const before = saved?.t === 'requests' ? saved.by : {};
    const srcKey = `${parseLocation('file://src/').kind}:src`;
    const dstKey = `${parseLocation('file://dst/').kind}:dst`;
    expect(before[srcKey]?.get).toBeGreaterThanOrEqual(3);

    const src = withFaults(createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') }), {});
    const dst = withFaults(createLocalProvider({ kind: 'local', name: 'dst', root: path.join(work, 'dst') }), {});
    const finished: FinishedJob[] = [];
    const m = new JobManager({ resolve: resolverFor({ src: src.provider, dst: dst.provider }), journalDir, onFinished: (j) => finished.push(j) });
    m.restore();
    await m.waitForIdle();
    const [job] = m.list();
    // What the cost history is told counts on from the killed run's requests, not from nothing.
    const requests = finished[0]?.requests;
    const putsAfter = [...dst.counters.puts.values()].reduce((n, v) => n + v, 0);
    expect(requests?.get(srcKey)?.get).toBeGreaterThanOrEqual((before[srcKey]?.get ?? 0) + src.counters.opens);
    expect(requests?.get(dstKey)?.put).toBeGreaterThanOrEqual((before[dstKey]?.put ?? 0) + putsAfter);
    expect(requests?.get(dstKey)?.put).toBeGreaterThan(putsAfter);
    expect(job?.state).toBe('completed');
    expect(job?.filesDone).toBe(FILES);
    expect(job?.bytesDone).toBe(FILES * SIZE);

    const detail = m.get(job?.id ?? '').detail();
    for (const i of doneBeforeKill) {
      const name = `data/${path.posix.basename(detail.files[i]?.source ?? '')}`;
      expect(dst.counters.puts.get(name), `${name} was copied again`).toBeUndefined();
    }
    expect(dst.counters.puts.size).toBe(FILES - doneBeforeKill.size);
    for (let i = 0; i < FILES; i++) {
      const got = await readFile(path.join(work, 'dst', 'out', 'data', `f${String(i).padStart(2, '0')}.bin`));
      expect(md5(got)).toBe(md5(data(i)));
    }
    await m.close();
  }, 60_000);

  it('a paused job comes back paused; history survives a restart; clearHistory forgets it', async () => {
    const journalDir = path.join(work, 'journal');
    const accounts = {
      src: withFaults(createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') }), { readBytesPerSecond: 512 * 1024 }).provider,
      dst: createLocalProvider({ kind: 'local', name: 'dst', root: path.join(work, 'dst') }),
    };
    const m1 = new JobManager({ resolve: resolverFor(accounts), journalDir, maxFiles: 1 });
    const done = m1.start({ kind: 'copy', sources: ['file://src/bkt/data/f00.bin'], destination: 'file://dst/out/' });
    await m1.waitForIdle();
    const paused = m1.start({ kind: 'copy', sources: ['file://src/bkt/data/'], destination: 'file://dst/out/' });
    await new Promise((r) => setTimeout(r, 200));
    m1.pause({ id: paused.id });
    await m1.waitForIdle();
    await m1.close();

    const m2 = new JobManager({ resolve: resolverFor(accounts), journalDir });
    m2.restore();
    expect(m2.get(done.id).summary().state).toBe('completed');
    expect(m2.get(paused.id).summary().state).toBe('paused');
    m2.resume({ id: paused.id });
    await m2.waitForIdle();
    expect(m2.get(paused.id).summary().state).toBe('completed');
    m2.clearHistory();
    expect(m2.list()).toEqual([]);
    expect(await readdir(journalDir)).toEqual([]);
    await m2.close();
  }, 60_000);
});

describe('journal: replay', () => {
  it('a listing that started over replaces the earlier records instead of doubling the files', async () => {
    const { replay } = await import('./job-model');
    const file = (n: number) => ({ source: `s3://a/b/${n}`, destination: `az://c/d/${n}`, size: 10 });
    const job = replay([
      { t: 'job', v: 1, id: 'j', kind: 'copy', title: 't', sources: ['s3://a/b/'], destination: 'az://c/d/', options: JobOptionsSchema.parse({}), createdAt: '2026-01-01T00:00:00Z' },
      { t: 'files', from: 0, files: [file(1), file(2)] },
      { t: 'state', state: 'paused', at: '2026-01-01T00:00:01Z' },
      { t: 'files', from: 0, files: [file(1), file(2), file(3)] },
      { t: 'listed', files: 3, bytes: 30 },
      { t: 'file', i: 0, state: 'done', attempts: 1, checksum: 'md5', path: 'relay' },
      { t: 'state', state: 'running', at: '2026-01-01T00:00:02Z' },
    ]);
    expect(job?.files).toHaveLength(3);
    expect(job?.bytesTotal).toBe(30);
    expect(job?.state).toBe('queued');
    const s = job?.summary();
    expect(s?.filesDone).toBe(1);
    expect(s?.bytesDone).toBe(10);
    expect(s?.path).toBe('relay');
  });
});
