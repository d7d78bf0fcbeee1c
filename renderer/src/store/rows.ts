import type { ObjectEntry } from '../../../shared/model';
import { fileKind } from '../kinds';

export type SortColumn = 'name' | 'size' | 'modified' | 'storageClass' | 'type' | 'etag';
export interface SortSpec {
  column: SortColumn;
  descending: boolean;
}

/** The Type column's words, so that the column sorts as it reads. */
function typeOf(e: ObjectEntry): string {
  return e.isPrefix ? '' : fileKind(e).label;
}

// Code-unit order (what S3 and GCS list in) is both faster than localeCompare at 100,000 rows and predictable.
function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compare(a: ObjectEntry, b: ObjectEntry, column: SortColumn): number {
  switch (column) {
    case 'name':
      return cmpStr(a.name, b.name);
    case 'size':
      return a.size - b.size || cmpStr(a.name, b.name);
    case 'modified':
      return cmpStr(a.modified ?? '', b.modified ?? '') || cmpStr(a.name, b.name);
    case 'storageClass':
      return cmpStr(a.storageClass ?? '', b.storageClass ?? '') || cmpStr(a.name, b.name);
    case 'type':
      return cmpStr(typeOf(a), typeOf(b)) || cmpStr(a.name, b.name);
    case 'etag':
      return cmpStr(a.etag ?? '', b.etag ?? '') || cmpStr(a.name, b.name);
  }
}

function comparator(sort: SortSpec): (a: ObjectEntry, b: ObjectEntry) => number {
  const dir = sort.descending ? -1 : 1;
  return (a, b) => {
    if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
    return dir * compare(a, b, sort.column);
  };
}

function matcher(textFilter: string): ((e: ObjectEntry) => boolean) | null {
  const needle = textFilter.trim().toLocaleLowerCase();
  return needle ? (e) => e.name.toLocaleLowerCase().includes(needle) : null;
}

/** The rows a pane shows: client-side substring filter, then sorted with folders first. */
export function visibleRows(entries: readonly ObjectEntry[], textFilter: string, sort: SortSpec): ObjectEntry[] {
  const match = matcher(textFilter);
  const out = match ? entries.filter(match) : entries.slice();
  return out.sort(comparator(sort));
}

/**
 * visibleRows for a listing that grows a page at a time: when the entries only gained a tail since the last call,
 * sorts the new page and merges it in (linear) instead of re-sorting 100,000 rows on every page.
 */
export class IncrementalRows {
  private entries: readonly ObjectEntry[] = [];
  private filter = '';
  private sort: SortSpec | null = null;
  private rows: ObjectEntry[] = [];

  get(entries: readonly ObjectEntry[], textFilter: string, sort: SortSpec): ObjectEntry[] {
    const prev = this.entries;
    const appended =
      this.sort === sort && this.filter === textFilter && entries.length >= prev.length && prev.length > 0 && entries[prev.length - 1] === prev[prev.length - 1] && entries[0] === prev[0];
    if (entries === prev && this.sort === sort && this.filter === textFilter) return this.rows;
    if (appended) {
      const cmp = comparator(sort);
      const match = matcher(textFilter);
      const tail = entries.slice(prev.length);
      const fresh = (match ? tail.filter(match) : tail).sort(cmp);
      this.rows = merge(this.rows, fresh, cmp);
    } else {
      this.rows = visibleRows(entries, textFilter, sort);
    }
    this.entries = entries;
    this.filter = textFilter;
    this.sort = sort;
    return this.rows;
  }
}

function merge(a: readonly ObjectEntry[], b: readonly ObjectEntry[], cmp: (x: ObjectEntry, y: ObjectEntry) => number): ObjectEntry[] {
  if (b.length === 0) return a as ObjectEntry[];
  const out: ObjectEntry[] = new Array<ObjectEntry>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = cmp(a[i] as ObjectEntry, b[j] as ObjectEntry) <= 0 ? (a[i++] as ObjectEntry) : (b[j++] as ObjectEntry);
  while (i < a.length) out[k++] = a[i++] as ObjectEntry;
  while (j < b.length) out[k++] = b[j++] as ObjectEntry;
  return out;
}

/** Totals for the status line. */
export function summarize(entries: readonly ObjectEntry[], selected: ReadonlySet<string>): {
  folders: number;
  files: number;
  selectedCount: number;
  selectedBytes: number;
  selectedFolders: number;
} {
  let folders = 0;
  let files = 0;
  let selectedCount = 0;
  let selectedBytes = 0;
  let selectedFolders = 0;
  for (const e of entries) {
    if (e.isPrefix) folders += 1;
    else files += 1;
    if (selected.has(e.key)) {
      selectedCount += 1;
      if (e.isPrefix) selectedFolders += 1;
      else selectedBytes += e.size;
    }
  }
  return { folders, files, selectedCount, selectedBytes, selectedFolders };
}
