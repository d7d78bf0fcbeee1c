import { closeSync, fdatasync, fstatSync, fsyncSync, readSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { RequestCountsSchema } from '../../../shared/contract/costs.history';
import { ErrorInfoSchema } from '../../../shared/errors';
import { FileStateSchema, JobKindSchema, JobOptionsSchema, JobStateSchema, TransferPathSchema } from '../../../shared/contract/jobs.channels';
import { createLogger } from '../log';

const log = createLogger('journal');

/**
 * An append-only JSON-lines file per job: one record per line, never rewritten. After a kill the last line may be
 * torn (half written); it is ignored. State changes are fsync'd at once; per-file records are grouped into one
 * fdatasync every `syncIntervalMs` (a SIGKILL keeps what reached the page cache; only a power cut could lose the
 * last few, which are then copied again, never lost).
 */
const PlannedFileSchema = z.object({
  source: z.string(),
  destination: z.string().optional(),
  size: z.number(),
  etag: z.string().optional(),
  renamedTo: z.string().optional(),
  notice: z.string().optional(),
  planError: ErrorInfoSchema.optional(),
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
      // A line torn by a kill must not glue itself to the first record of the next run.
      const size = fstatSync(this.fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        readSync(this.fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) writeSync(this.fd, '\n');
      }
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

export class JournalStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  open(jobId: string): JobJournal {
    return new JobJournal(path.join(this.dir, `${safeId(jobId)}.jsonl`));
  }

  /** Every job journal in the folder, each as its parsed records (a torn last line dropped). */
  readAll(): Array<{ id: string; records: JournalRecord[] }> {
    const out: Array<{ id: string; records: JournalRecord[] }> = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.jsonl')) continue;
      const records = readJournal(path.join(this.dir, name));
      const head = records[0];
      if (head?.t === 'job') out.push({ id: head.id, records });
      else log.warn(`journal ${name} has no job header; ignored`);
    }
    return out;
  }
}

export function readJournal(file: string): JournalRecord[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // Only the last line can be torn by a kill; anything else is damage worth a warning.
      if (i < lines.length - 1 && lines.slice(i + 1).some(Boolean)) log.warn(`journal ${path.basename(file)}: unreadable line ${i + 1} skipped`);
      continue;
    }
    const rec = JournalRecordSchema.safeParse(parsed);
    if (rec.success) records.push(rec.data);
    else log.warn(`journal ${path.basename(file)}: invalid record at line ${i + 1} skipped`);
  }
  return records;
}

function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}
