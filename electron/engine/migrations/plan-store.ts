import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { NotFoundError } from '../../../shared/errors';
import { MigrationSummarySchema, type MigrationSummary, type PlanGroup, type PlanItem } from '../../../shared/contract/migrations.channels';
import { writeFileAtomic } from '../atomic-write';
import { createLogger } from '../log';

const log = createLogger('migrations.store');
const INDEX_EVERY = 256;
const FLUSH_BYTES = 256 * 1024;

/** A list file: plan items by group and destination (`new-0`), the report's rows, the verification's differences. */
export type ListName = `${PlanGroup}-${number}` | 'report' | 'differences';

interface LineIndex {
  size: number;
  total: number;
  /** Byte offset of line 0, INDEX_EVERY, 2*INDEX_EVERY, … */
  offsets: number[];
}

/** Appends JSON lines to a plan's list files, buffered so a million-object plan is not a million writes. */
export class ListWriter {
  private readonly buffers = new Map<ListName, string>();
  private pending = 0;

  /** `closed`: the store was closed (the engine is shutting down): nothing more is written. */
  constructor(
    private readonly dir: string,
    private readonly closed: () => boolean = () => false,
  ) {}

  async add(list: ListName, item: unknown): Promise<void> {
    const line = `${JSON.stringify(item)}\n`;
    this.buffers.set(list, (this.buffers.get(list) ?? '') + line);
    this.pending += line.length;
    if (this.pending >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    const all = [...this.buffers.entries()];
    this.buffers.clear();
    this.pending = 0;
    if (this.closed()) return;
    for (const [list, text] of all) await appendFile(path.join(this.dir, `${list}.jsonl`), text, { mode: 0o600 });
  }
}

/**
 * Plans, runs and reports under `<dataDir>/plans/<id>/`: `summary.json` (rewritten atomically) and one JSON-lines
 * file per list, paged to the UI through a sparse line index so that no list is ever loaded whole.
 */
export class PlanStore {
  readonly root: string;
  private readonly indexes = new Map<string, LineIndex>();
  private closed = false;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'plans');
  }

  dir(id: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new NotFoundError(`No migration ${id}`);
    return path.join(this.root, id);
  }

  /**
   * From now on nothing is written: planning and runs that end while the engine closes leave their files as they
   * were (a plan caught mid-way is then reported as interrupted on the next start), and never write into a data
   * folder that is being removed.
   */
  close(): void {
    this.closed = true;
  }

  async writer(id: string): Promise<ListWriter> {
    if (!this.closed) await mkdir(this.dir(id), { recursive: true, mode: 0o700 });
    return new ListWriter(this.dir(id), () => this.closed);
  }

  /** Empties one list (a new verification replaces the previous one's differences). */
  async clear(id: string, list: ListName): Promise<void> {
    this.indexes.delete(`${id}/${list}`);
    if (this.closed) return;
    await rm(path.join(this.dir(id), `${list}.jsonl`), { force: true });
  }

  async saveSummary(summary: MigrationSummary): Promise<void> {
    if (this.closed) return;
    await mkdir(this.dir(summary.id), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(this.dir(summary.id), 'summary.json'), JSON.stringify(summary));
  }

  async loadAll(): Promise<MigrationSummary[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const out: MigrationSummary[] = [];
    for (const name of names) {
      // A run's verification lists (run.ts) sit beside its plan with no summary of their own.
      if (name.endsWith('-verify')) continue;
      try {
        const parsed = MigrationSummarySchema.safeParse(JSON.parse(await readFile(path.join(this.root, name, 'summary.json'), 'utf8')));
        if (parsed.success) out.push(parsed.data);
        else log.warn(`plan ${name}: summary does not parse; ignored`);
      } catch {
        log.warn(`plan ${name}: no readable summary; ignored`);
      }
    }
    return out;
  }

  async remove(id: string): Promise<void> {
    for (const key of [...this.indexes.keys()]) if (key.startsWith(`${id}/`)) this.indexes.delete(key);
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /** Every line of a list in order, one at a time. */
  async *read<T>(id: string, list: ListName, fromByte = 0): AsyncGenerator<T> {
    const file = path.join(this.dir(id), `${list}.jsonl`);
    const exists = await stat(file).catch(() => undefined);
    if (!exists) return;
    const lines = createInterface({ input: createReadStream(file, { start: fromByte }), crlfDelay: Infinity });
    for await (const line of lines) if (line) yield JSON.parse(line) as T;
  }

  async page<T = PlanItem>(id: string, list: ListName, offset: number, limit: number): Promise<{ items: T[]; total: number }> {
    const index = await this.index(id, list);
    if (offset >= index.total) return { items: [], total: index.total };
    const block = Math.floor(offset / INDEX_EVERY);
    let line = block * INDEX_EVERY;
    const items: T[] = [];
    for await (const item of this.read<T>(id, list, index.offsets[block] ?? 0)) {
      if (line++ < offset) continue;
      items.push(item);
      if (items.length >= limit) break;
    }
    return { items, total: index.total };
  }

  private async index(id: string, list: ListName): Promise<LineIndex> {
    const file = path.join(this.dir(id), `${list}.jsonl`);
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    const key = `${id}/${list}`;
    const cached = this.indexes.get(key);
    if (cached?.size === size) return cached;
    const index: LineIndex = { size, total: 0, offsets: [] };
    if (size > 0) {
      let pos = 0;
      let atLineStart = true;
      for await (const chunk of createReadStream(file, { end: size - 1 }) as AsyncIterable<Buffer>) {
        for (let i = 0; i < chunk.length; i++) {
          if (atLineStart) {
            if (index.total % INDEX_EVERY === 0) index.offsets.push(pos + i);
            index.total++;
            atLineStart = false;
          }
          if (chunk[i] === 0x0a) atLineStart = true;
        }
        pos += chunk.length;
      }
    }
    this.indexes.set(key, index);
    return index;
  }
}
