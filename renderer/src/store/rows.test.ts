import { describe, expect, it } from 'vitest';
import type { ObjectEntry } from '../../../shared/model';
import { filterInSlices, IncrementalRows, summarize, visibleRows, type SortSpec } from './rows';

const e = (name: string, size: number, isPrefix = false, modified?: string): ObjectEntry => ({
  key: `p/${name}${isPrefix ? '/' : ''}`,
  name,
  isPrefix,
  size,
  ...(modified ? { modified } : {}),
});
const entries = [e('b.txt', 30, false, '2024-01-02'), e('zdir', 0, true), e('a.txt', 10, false, '2024-03-01'), e('adir', 0, true), e('C.txt', 20)];

describe('visibleRows', () => {
  it('puts folders first, then sorts by the chosen column', () => {
    expect(visibleRows(entries, '', { column: 'name', descending: false }).map((r) => r.name)).toEqual(['adir', 'zdir', 'C.txt', 'a.txt', 'b.txt']);
    expect(visibleRows(entries, '', { column: 'size', descending: true }).map((r) => r.name)).toEqual(['zdir', 'adir', 'b.txt', 'C.txt', 'a.txt']);
  });
  it('filters loaded names by substring, case-insensitively', () => {
    expect(visibleRows(entries, 'TXT', { column: 'name', descending: false }).map((r) => r.name)).toEqual(['C.txt', 'a.txt', 'b.txt']);
  });
  it('merges 100 pages of 1,000 rows, appended to one array, into the same order as one full sort', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => e(`k${(i * 7919) % 100_000}`, i % 1013, i % 97 === 0));
    for (const sort of [{ column: 'name', descending: false }, { column: 'size', descending: true }] satisfies SortSpec[]) {
      const inc = new IncrementalRows();
      const loaded: ObjectEntry[] = [];
      let rows: readonly ObjectEntry[] = [];
      const first = inc.get(loaded, '', sort);
      for (let n = 0; n < many.length; n += 1000) {
        loaded.push(...many.slice(n, n + 1000));
        rows = inc.get(loaded, '', sort);
        // Merged into in place: the rows given out stay the same array as pages arrive.
        expect(rows).toBe(first);
      }
      // No wall-clock bound: the shared test machine's load makes one meaningless. Correctness is what is checked.
      expect(rows.map((r) => r.key)).toEqual(visibleRows(many, '', sort).map((r) => r.key));
    }
  });
  it('keeps a filter over pages appended later, and starts over on a new array', () => {
    const sort: SortSpec = { column: 'name', descending: false };
    const inc = new IncrementalRows();
    const loaded = entries.slice(0, 3);
    expect(inc.get(loaded, 'txt', sort).map((r) => r.name)).toEqual(['a.txt', 'b.txt']);
    loaded.push(...entries.slice(3));
    expect(inc.get(loaded, 'txt', sort).map((r) => r.name)).toEqual(['C.txt', 'a.txt', 'b.txt']);
    // A listing loaded again is a new array: its rows replace the old ones rather than adding to them.
    expect(inc.get([e('z.txt', 1)], 'txt', sort).map((r) => r.name)).toEqual(['z.txt']);
  });
});

describe('filterInSlices', () => {
  it('matches in slices that give the thread back, and gives the same rows as visibleRows', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => e(`Key-${i}`, i));
    const sort: SortSpec = { column: 'name', descending: false };
    const sorted = visibleRows(many, '', sort);
    const queued: Array<() => void> = [];
    let result: ObjectEntry[] | undefined;
    // A slice of 0 ms gives the thread back after every 512 names.
    filterInSlices(sorted, 'key-1', (rows) => (result = rows), { sliceMs: 0, yieldTo: (next) => queued.push(next) });
    expect(result).toBeUndefined();
    let slices = 1;
    for (let next = queued.shift(); next; next = queued.shift(), slices++) next();
    expect(slices).toBeGreaterThan(10);
    expect(result?.map((r) => r.key)).toEqual(visibleRows(many, 'KEY-1', sort).map((r) => r.key));
  });
  it('gives nothing once cancelled', () => {
    const queued: Array<() => void> = [];
    let result: ObjectEntry[] | undefined;
    const job = filterInSlices(entries.concat(Array.from({ length: 2000 }, (_, i) => e(`x${i}`, i))), 'x', (rows) => (result = rows), { sliceMs: 0, yieldTo: (next) => queued.push(next) });
    job.cancel();
    for (let next = queued.shift(); next; next = queued.shift()) next();
    expect(result).toBeUndefined();
  });
});

describe('summarize', () => {
  it('counts folders, files and the selected bytes', () => {
    const t = summarize(entries, new Set(['p/a.txt', 'p/b.txt', 'p/adir/']));
    expect(t).toEqual({ folders: 2, files: 3, selectedCount: 3, selectedBytes: 40, selectedFolders: 1 });
  });
});
