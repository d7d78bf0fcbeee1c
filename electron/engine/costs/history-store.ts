import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HistoryRecordSchema, type HistoryRecord } from '../../../shared/contract/costs.history';
import { writeFileAtomic } from '../atomic-write';
import { createLogger } from '../log';

const log = createLogger('costs.history');

export const HISTORY_FILE = path.join('costs', 'history.jsonl');
/** Records kept: past this (plus a tenth, so that trimming is rare) the oldest are dropped. */
export const DEFAULT_KEEP = 5000;

export interface HistoryStore {
  /** Appends one record, fsync'd before it resolves; appends land in the order they were called. */
  append(record: HistoryRecord): Promise<void>;
  /** Every readable record, oldest first (the order they were appended in). */
  read(): Promise<HistoryRecord[]>;
}

/**
 * The cost history: an append-only JSON-lines file under the data dir. A kill mid-append leaves a torn last line:
 * it is cut off before the next append and skipped by reads, as is any line that does not parse. Bounded: once it
 * holds more than `keep` + `keep`/10 records, it is rewritten (atomically) with the newest `keep`.
 */
export function openHistoryStore(dataDir: string, options: { keep?: number } = {}): HistoryStore {
  const file = path.join(dataDir, HISTORY_FILE);
  const keep = Math.max(1, options.keep ?? DEFAULT_KEEP);
  const slack = Math.max(1, Math.floor(keep / 10));
  let lines: number | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  const text = async (): Promise<string> => {
    try {
      return await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw e;
    }
  };

  /** Counts the lines once, cutting off a torn tail so that the next record starts on a line of its own. */
  const init = async (): Promise<number> => {
    if (lines !== undefined) return lines;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const t = await text();
    const end = t.lastIndexOf('\n') + 1;
    if (end < t.length) {
      log.warn(`the cost history ended in a torn line (${t.length - end} bytes): dropped`);
      await fs.truncate(file, Buffer.byteLength(t.slice(0, end)));
    }
    lines = end === 0 ? 0 : t.slice(0, end).split('\n').length - 1;
    return lines;
  };

  const parse = (t: string): HistoryRecord[] => {
    const out: HistoryRecord[] = [];
    for (const l of t.split('\n')) {
      if (l.trim() === '') continue;
      try {
        const r = HistoryRecordSchema.safeParse(JSON.parse(l));
        if (r.success) out.push(r.data);
        else log.warn('skipped a cost history record that does not match its schema');
      } catch {
        // A torn line (killed mid-append): what follows is whole.
      }
    }
    return out;
  };

  const trim = async (): Promise<void> => {
    const all = (await text()).split('\n').filter((l) => l.trim() !== '');
    const kept = all.slice(-keep);
    await writeFileAtomic(file, kept.map((l) => `${l}\n`).join(''));
    lines = kept.length;
  };

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    append(record) {
      const line = `${JSON.stringify(HistoryRecordSchema.parse(record))}\n`;
      return serial(async () => {
        await init();
        const handle = await fs.open(file, 'a', 0o600);
        try {
          await handle.write(line);
          await handle.sync();
        } finally {
          await handle.close();
        }
        lines = (lines ?? 0) + 1;
        if (lines > keep + slack) await trim();
      });
    },
    read() {
      return serial(async () => parse(await text()));
    },
  };
}
