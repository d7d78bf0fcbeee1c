import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { appendFile, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobOptionsSchema } from '../../../shared/contract/jobs.channels';
import { createLocalProvider } from '../providers/local/local.provider';
import { JobManager } from './job-manager';
import { parseLocation } from '../../../shared/location';
import { JobJournal, readJournal, type JournalRecord } from './journal';
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
    // The rest is copied, less a file whose write completed before the kill but not its "done" record: the resumed
    // run finds it whole at the destination and leaves it (at most the child's 2 files in flight).
    expect(dst.counters.puts.size).toBeLessThanOrEqual(FILES - doneBeforeKill.size);
    expect(dst.counters.puts.size).toBeGreaterThanOrEqual(FILES - doneBeforeKill.size - 2);
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

describe('journal: a command\'s engine', () => {
  it('leaves the interrupted jobs it finds until one is resumed by name', async () => {
    const journalDir = path.join(work, 'journal');
    const slow = withFaults(createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') }), { readBytesPerSecond: 512 * 1024 }).provider;
    const dst = createLocalProvider({ kind: 'local', name: 'dst', root: path.join(work, 'dst') });
    const m1 = new JobManager({ resolve: resolverFor({ src: slow, dst }), journalDir, maxFiles: 1 });
    const { id } = m1.start({ kind: 'copy', sources: ['file://src/bkt/data/'], destination: 'file://dst/out/' });
    await new Promise((r) => setTimeout(r, 300));
    await m1.close();

    const src = withFaults(createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') }), {});
    const m2 = new JobManager({ resolve: resolverFor({ src: src.provider, dst }), journalDir, holdRestored: true });
    m2.restore();
    await m2.waitForIdle();
    const held = m2.get(id).summary();
    expect(held.state).not.toBe('completed');
    expect(held.filesDone).toBeLessThan(FILES);
    expect(src.counters.opens).toBe(0);

    m2.resume({ id });
    await m2.waitForIdle();
    expect(m2.get(id).summary()).toMatchObject({ state: 'completed', filesDone: FILES });
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

describe('journal: damaged files', () => {
  const job = (id: string): JournalRecord => ({ t: 'job', v: 1, id, kind: 'copy', title: id, sources: ['file://src/b/'], destination: 'file://dst/o/', options: JobOptionsSchema.parse({}), createdAt: '2026-01-01T00:00:00Z' });
  const line = (r: JournalRecord): string => `${JSON.stringify(r)}\n`;

  it('a journal of binary garbage, with garbage inside, torn in its header or unreadable is set aside with a message; the other jobs restore', async () => {
    const journalDir = path.join(work, 'journal');
    const accounts = {
      src: createLocalProvider({ kind: 'local', name: 'src', root: path.join(work, 'src') }),
      dst: createLocalProvider({ kind: 'local', name: 'dst', root: path.join(work, 'dst') }),
    };
    const m1 = new JobManager({ resolve: resolverFor(accounts), journalDir });
    const a = m1.start({ kind: 'copy', sources: ['file://src/bkt/data/f00.bin'], destination: 'file://dst/out/' });
    const b = m1.start({ kind: 'copy', sources: ['file://src/bkt/data/f01.bin'], destination: 'file://dst/out/' });
    await m1.waitForIdle();
    await m1.close();
    const journalOf = (id: string) => path.join(journalDir, `${id}.jsonl`);

    // b's last line torn by a kill: b still restores (a torn last line is what any kill can leave).
    await appendFile(journalOf(b.id), '{"t":"file","i":0,"state":"do');
    await writeFile(path.join(journalDir, 'garbage.jsonl'), randomBytes(64 * 1024));
    const good = await readFile(journalOf(a.id));
    const cut = good.indexOf(0x0a) + 1;
    await writeFile(path.join(journalDir, 'spliced.jsonl'), Buffer.concat([good.subarray(0, cut), randomBytes(512), Buffer.from('\n'), good.subarray(cut)]));
    await writeFile(path.join(journalDir, 'torn-header.jsonl'), line(job('torn')).slice(0, 40));
    await mkdir(path.join(journalDir, 'unreadable.jsonl'));

    const logged = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const m2 = new JobManager({ resolve: resolverFor(accounts), journalDir });
    let messages = '';
    try {
      expect(() => m2.restore()).not.toThrow();
      messages = logged.mock.calls.map(([chunk]) => String(chunk)).join('');
    } finally {
      logged.mockRestore();
    }
    expect(m2.list().map((j) => [j.id, j.state, j.filesDone]).sort()).toEqual([[a.id, 'completed', 1], [b.id, 'completed', 1]].sort());
    expect((await readdir(path.join(journalDir, 'corrupt'))).sort()).toEqual(['garbage.jsonl', 'spliced.jsonl', 'torn-header.jsonl', 'unreadable.jsonl']);
    expect((await readdir(journalDir)).sort()).toEqual([`${a.id}.jsonl`, `${b.id}.jsonl`, 'corrupt'].sort());
    for (const name of ['garbage.jsonl', 'spliced.jsonl', 'torn-header.jsonl', 'unreadable.jsonl']) {
      expect(messages).toContain(`journal ${name} `);
    }
    expect(messages).toMatch(/journal spliced\.jsonl is damaged: line 2 is not a journal record; its job is not restored/);
    expect(messages).toMatch(/journal unreadable\.jsonl cannot be read \(EISDIR\)/);
    await m2.close();

    // A second damaged file of the same name is kept beside the first, not over it.
    await copyFile(path.join(journalDir, 'corrupt', 'garbage.jsonl'), path.join(journalDir, 'garbage.jsonl'));
    const m3 = new JobManager({ resolve: resolverFor(accounts), journalDir });
    m3.restore();
    await m3.close();
    expect((await readdir(path.join(journalDir, 'corrupt'))).sort()).toEqual(['garbage-1.jsonl', 'garbage.jsonl', 'spliced.jsonl', 'torn-header.jsonl', 'unreadable.jsonl']);
  });

  it('the next run cuts a torn last line off before it appends, and ends a whole last record with its newline', async () => {
    const file = path.join(work, 'j.jsonl');
    const state = (at: string): JournalRecord => ({ t: 'state', state: 'running', at });
    await writeFile(file, `${line(job('j'))}{"t":"state","state":"run`);
    const torn = new JobJournal(file);
    torn.append(state('2026-01-01T00:00:01Z'), true);
    torn.close();
    expect(await readFile(file, 'utf8')).toBe(line(job('j')) + line(state('2026-01-01T00:00:01Z')));

    await writeFile(file, line(job('j')) + line(state('2026-01-01T00:00:01Z')).trimEnd());
    const whole = new JobJournal(file);
    whole.append(state('2026-01-01T00:00:02Z'), true);
    whole.close();
    expect(readJournal(file)).toEqual([job('j'), state('2026-01-01T00:00:01Z'), state('2026-01-01T00:00:02Z')]);
  });

  it('a journal of 200,000 files restores in a heap too small to hold the file as one string', async () => {
    const FILES = 200_000;
    const journalDir = path.join(work, 'big');
    await mkdir(journalDir);
    // Whitespace inside a JSON record is valid JSON: 400 spaces per file record make the file ~100 MB, several times
    // what its records take once parsed, so the heap given below holds the records but not the file's text.
    const pad = ' '.repeat(400);
    const out = createWriteStream(path.join(journalDir, 'big.jsonl'));
    const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
    await write(line(job('big')));
    for (let from = 0; from < FILES; from += 500) {
      const files = Array.from({ length: 500 }, (_, k) => ({ source: `file://src/b/f${from + k}`, destination: `file://dst/o/f${from + k}`, size: 1 }));
      await write(line({ t: 'files', from, files }));
    }
    await write(line({ t: 'listed', files: FILES, bytes: FILES }));
    for (let i = 0; i < FILES; i++) await write(`{"t":"file","i":${i},"state":"done","attempts":1${pad}}\n`);
    await write(line({ t: 'state', state: 'completed', at: '2026-01-01T00:00:01Z' }));
    await new Promise((r) => out.end(r));

    // A fresh process with a 128 MB heap: reading the ~100 MB file into one string (and splitting it) needs more.
    const restore = `
      const { JobManager } = await import(${JSON.stringify(path.resolve('electron/engine/jobs/job-manager.ts'))});
      const m = new JobManager({ resolve: () => { throw new Error('not used'); }, journalDir: process.argv[1] });
      m.restore();
      const [job] = m.list();
      process.stdout.write(JSON.stringify({ state: job?.state, filesDone: job?.filesDone, filesTotal: job?.filesTotal }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=128', '--import', 'tsx', '--input-type=module', '-e', restore, journalDir], { maxBuffer: 1 << 20 });
    expect(JSON.parse(stdout)).toEqual({ state: 'completed', filesDone: FILES, filesTotal: FILES });
  }, 120_000);
});
