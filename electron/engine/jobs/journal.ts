import { closeSync, existsSync, fdatasync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { RequestCountsSchema } from '../../../shared/contract/costs.history';
import { ErrorInfoSchema } from '../../../shared/errors';
import { FileStateSchema, JobKindSchema, JobOptionsSchema, JobStateSchema, TransferPathSchema } from '../../../shared/contract/jobs.channels';
import { JobLimitSchema } from '../../../shared/contract/settings.channels';
import { createLogger } from '../log';

const log = createLogger('journal');

/**
 * An append-only JSON-lines file per job: one record per line, never rewritten. After a kill the last line may be
 * torn (half written): reading drops it, and the next append cuts it off first, so a torn line is only ever the
 * last one and any other bad line is damage. State changes are fsync'd at once; per-file records are grouped into
 * one fdatasync every `syncIntervalMs` (a SIGKILL keeps what reached the page cache; only a power cut could lose
 * the last few, which are then copied again, never lost).
 */
const PlannedFileSchema = z.object({
  source: z.string(),
  destination: z.string().optional(),
  size: z.number(),
  etag: z.string().optional(),
  version: z.string().optional(),
  renamedTo: z.string().optional(),
  notice: z.string().optional(),
  planError: ErrorInfoSchema.optional(),
  sourceWithin: z.string().optional(),
  within: z.string().optional(),
});

export const JournalRecordSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('job'),
    v: z.literal(1),
    id: z.string(),
    kind: JobKindSchema,
    title: z.string(),
    sources: z.array(z.string()),
    destination: z.string().optional(),
    options: JobOptionsSchema,
    createdAt: z.string(),
  }),
  z.object({ t: z.literal('files'), from: z.number().int(), files: z.array(PlannedFileSchema) }),
  z.object({ t: z.literal('listed'), files: z.number().int(), bytes: z.number() }),
  z.object({
    t: z.literal('file'),
    i: z.number().int(),
    state: FileStateSchema,
    path: TransferPathSchema.optional(),
    checksum: z.string().optional(),
    attempts: z.number().int().optional(),
    notices: z.array(z.string()).optional(),
    /** The notices as one text, in journals of earlier versions (read, no longer written). */
    notice: z.string().optional(),
    error: ErrorInfoSchema.optional(),
  }),
  // The latest checkpoint of a file's unfinished upload (throttled): a later run continues it (ResumeRecord).
  z.object({
    t: z.literal('resume'),
    i: z.number().int(),
    source: z.object({ size: z.number(), etag: z.string().optional(), version: z.string().optional(), modified: z.string().optional() }),
    state: z.object({ kind: z.string() }).passthrough(),
  }),
  // The job's provider calls so far by account key, all runs together (throttled; the latest one wins): a job
  // resumed after a restart goes on counting from here, so its cost history includes what it requested before.
  z.object({ t: z.literal('requests'), by: z.record(z.string(), RequestCountsSchema) }),
  // The job's own bandwidth limit as changed while it ran (jobs:setLimit), merged over the limit of its options:
  // the newest one holds when the job resumes after a restart.
  z.object({ t: z.literal('limit'), limit: JobLimitSchema }),
  z.object({
    t: z.literal('state'),
    state: JobStateSchema,
    at: z.string(),
    startedAt: z.string().nullable().optional(),
    error: ErrorInfoSchema.optional(),
  }),
]);
export type JournalRecord = z.infer<typeof JournalRecordSchema>;

export class JobJournal {
  private fd: number | undefined;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    private readonly syncIntervalMs = 200,
  ) {}

  append(record: JournalRecord, durable = false): void {
    if (this.fd === undefined) {
      this.fd = openSync(this.file, 'a+');
      endWithWholeLine(this.fd);
    }
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    if (durable) {
      fsyncSync(this.fd);
      this.dirty = false;
      return;
    }
    this.dirty = true;
    this.timer ??= setTimeout(() => this.flush(), this.syncIntervalMs).unref();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.fd === undefined || !this.dirty) return;
    this.dirty = false;
    fdatasync(this.fd, (err) => {
      if (err) log.warn('journal sync failed', err);
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd !== undefined) {
      if (this.dirty) fsyncSync(this.fd);
      closeSync(this.fd);
    }
    this.fd = undefined;
  }

  remove(): void {
    this.close();
    rmSync(this.file, { force: true });
  }
}

/**
 * Makes the file end with a whole line before a new run appends to it: a torn last line (a kill mid-write) is cut
 * off; a whole record that only lacks its newline gets one.
 */
function endWithWholeLine(fd: number): void {
  const size = fstatSync(fd).size;
  const whole = endOfLastLine(fd, size);
  if (whole === size) return;
  const tail = Buffer.alloc(size - whole);
  readSync(fd, tail, 0, tail.length, whole);
  if (parseRecord(tail) !== undefined) {
    writeSync(fd, '\n');
  } else {
    ftruncateSync(fd, whole);
    log.info(`journal: cut off a torn last line (${tail.length} bytes)`);
  }
}

/** The offset just past the file's last newline (0 if it has none), read backwards from the end in small steps. */
function endOfLastLine(fd: number, size: number): number {
  const buf = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - buf.length);
    const got = readSync(fd, buf, 0, end - start, start);
    const nl = buf.subarray(0, got).lastIndexOf(0x0a);
    if (nl !== -1) return start + nl + 1;
    end = start;
  }
  return 0;
}

/** A journal that cannot be trusted: unreadable, or damaged other than by a torn last line. */
class DamagedJournalError extends Error {}

const CHUNK_BYTES = 1024 * 1024;
/** Far longer than any record the engine writes (a batch of 500 planned files with 1,024-byte keys is ~1.5 MB). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Journals are written by JSON.stringify, so they are valid UTF-8: anything else is damage, not text. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseRecord(line: Uint8Array): JournalRecord | undefined {
  try {
    const rec = JournalRecordSchema.safeParse(JSON.parse(utf8.decode(line)));
    return rec.success ? rec.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file's lines, read in chunks of a megabyte: the file is never held whole, in a buffer or in one string, so
 * a journal of millions of files reads in memory proportional to its records. `last` marks a final line with no
 * newline after it.
 */
function* lines(file: string): Generator<{ bytes: Buffer; n: number; last: boolean }> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(CHUNK_BYTES);
    let carried: Buffer[] = [];
    let carriedBytes = 0;
    let n = 0;
    for (let got = readSync(fd, chunk); got > 0; got = readSync(fd, chunk)) {
      const data = chunk.subarray(0, got);
      let start = 0;
      for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a, start)) {
        n++;
        const piece = data.subarray(start, nl);
        // A copy either way: the chunk is read into again.
        yield { bytes: carried.length ? Buffer.concat([...carried, piece]) : Buffer.from(piece), n, last: false };
        carried = [];
        carriedBytes = 0;
        start = nl + 1;
      }
      if (start < got) {
        carriedBytes += got - start;
        if (carriedBytes > MAX_LINE_BYTES) throw new DamagedJournalError(`line ${n + 1} is longer than ${MAX_LINE_BYTES} bytes`);
        carried.push(Buffer.from(data.subarray(start)));
      }
    }
    if (carried.length) yield { bytes: Buffer.concat(carried), n: n + 1, last: true };
  } finally {
    closeSync(fd);
  }
}

/**
 * A job's records, read line by line, starting with its job header. A torn last line (a kill mid-write) is dropped;
 * any other line that is not a valid record, a missing header or a read error throws: half a journal could replay
 * into the wrong state (a lost batch of planned files shifts every file after it).
 */
export function readJournal(file: string): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const { bytes, n, last } of lines(file)) {
    if (bytes.length === 0) continue;
    const rec = parseRecord(bytes);
    if (rec === undefined) {
      if (last) {
        log.info(`journal ${path.basename(file)}: torn last line dropped`);
        break;
      }
      throw new DamagedJournalError(`line ${n} is not a journal record`);
    }
    if (records.length === 0 && rec.t !== 'job') throw new DamagedJournalError('it does not start with a job header');
    records.push(rec);
  }
  if (records.length === 0) throw new DamagedJournalError('it holds no job header');
  return records;
}

export class JournalStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  open(jobId: string): JobJournal {
    return new JobJournal(path.join(this.dir, `${safeId(jobId)}.jsonl`));
  }

  /**
   * Every job journal in the folder, one at a time, as its records. One that cannot be read or is damaged is moved
   * to `corrupt/` with a warning and its job is not restored: one bad file never keeps the others (or the app) from
   * starting.
   */
  *readAll(): Generator<{ id: string; records: JournalRecord[] }> {
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.jsonl')) continue;
      let records: JournalRecord[];
      try {
        records = readJournal(path.join(this.dir, name));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        this.setAside(name, e instanceof DamagedJournalError ? `is damaged: ${e.message}` : `cannot be read (${code ?? String(e)})`);
        continue;
      }
      const head = records[0];
      if (head?.t === 'job') yield { id: head.id, records };
    }
  }

  private setAside(name: string, why: string): void {
    const corrupt = path.join(this.dir, 'corrupt');
    try {
      mkdirSync(corrupt, { recursive: true });
      let target = path.join(corrupt, name);
      for (let i = 1; existsSync(target); i++) target = path.join(corrupt, `${path.basename(name, '.jsonl')}-${i}.jsonl`);
      renameSync(path.join(this.dir, name), target);
      log.warn(`journal ${name} ${why}; its job is not restored. The file was moved to ${target}`);
    } catch (e) {
      log.warn(`journal ${name} ${why}; its job is not restored, and the file could not be moved aside (${(e as Error).message})`);
    }
  }
}

function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}
