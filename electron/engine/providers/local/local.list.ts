import type { Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListPage, ObjectEntry } from '../../../../shared/model';
import { codeOf } from '../common/errors';
import { guessContentType } from './local.mime';
import { isTempName } from './local.paths';

/** One directory entry as a key: folders end with `/`. `viaLink`: reached through a symlink (inside the root). */
export interface LocalEntry {
  name: string;
  key: string;
  isDir: boolean;
  abs: string;
  viaLink: boolean;
}

export function etagOf(s: Stats): string {
  // A weak validator (as nginx does): changes whenever the file is rewritten, so a copy can notice a moving source.
  return `${Math.trunc(s.mtimeMs).toString(16)}-${s.size.toString(16)}`;
}

/**
 * The entries of one folder, sorted by key. A symlink is shown only when it resolves inside the root (never
 * followed out of it); sockets, FIFOs, devices and our own in-flight temp files are hidden.
 */
export async function readEntries(contains: (real: string) => boolean, absDir: string, dirKey: string, namePrefix: string): Promise<LocalEntry[]> {
  let dirents;
  try {
    dirents = await readdir(absDir, { withFileTypes: true });
  } catch (e) {
    if (codeOf(e) === 'ENOENT' || codeOf(e) === 'ENOTDIR') return [];
    throw e;
  }
  const out: LocalEntry[] = [];
  for (const d of dirents) {
    if (isTempName(d.name) || !d.name.startsWith(namePrefix)) continue;
    const abs = path.join(absDir, d.name);
    let isDir: boolean;
    let viaLink = false;
    if (d.isDirectory()) isDir = true;
    else if (d.isFile()) isDir = false;
    else if (d.isSymbolicLink()) {
      const target = await realpath(abs).catch(() => undefined);
      if (!target || !contains(target)) continue;
      const s = await stat(target).catch(() => undefined);
      if (!s || (!s.isDirectory() && !s.isFile())) continue;
      isDir = s.isDirectory();
      viaLink = true;
    } else continue;
    out.push({ name: d.name, key: `${dirKey}${d.name}${isDir ? '/' : ''}`, isDir, abs, viaLink });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Every file below `absDir` in key order, starting after `cursor`, one folder read at a time: siblings sorted by
 * key (folders with their `/`) walked depth-first give the global key order, so a subtree that sorts entirely
 * before the cursor is skipped unread. Symlinked folders are not descended (they could loop).
 */
export async function* walkFiles(
  contains: (real: string) => boolean,
  absDir: string,
  dirKey: string,
  namePrefix: string,
  cursor: string | undefined,
): AsyncGenerator<LocalEntry> {
  for (const entry of await readEntries(contains, absDir, dirKey, namePrefix)) {
    if (entry.isDir) {
      if (entry.viaLink) continue;
      if (cursor !== undefined && entry.key < cursor && !cursor.startsWith(entry.key)) continue;
      yield* walkFiles(contains, entry.abs, entry.key, '', cursor);
    } else if (cursor === undefined || entry.key > cursor) {
      yield entry;
    }
  }
}

async function toObjectEntry(entry: LocalEntry): Promise<ObjectEntry | undefined> {
  if (entry.isDir) return { key: entry.key, name: entry.name, isPrefix: true, size: 0 };
  const s = await stat(entry.abs).catch(() => undefined);
  if (!s) return undefined; // removed between the read of the folder and now
  return {
    key: entry.key,
    name: entry.name,
    isPrefix: false,
    size: s.size,
    modified: s.mtime.toISOString(),
    etag: etagOf(s),
    contentType: guessContentType(entry.key),
  };
}

async function toPage(entries: LocalEntry[], more: boolean, total?: number): Promise<ListPage> {
  const rows = (await Promise.all(entries.map(toObjectEntry))).filter((e): e is ObjectEntry => e !== undefined);
  const last = entries[entries.length - 1];
  const page: ListPage = more && last ? { entries: rows, cursor: last.key } : { entries: rows };
  if (total !== undefined) page.total = total;
  return page;
}

/** One page of a listing: the folder it starts in (its real path and its key), the name prefix, where to go on. */
export interface ListScope {
  /** True for a real path a listed link may lead to (inside the account's root). */
  contains: (real: string) => boolean;
  absDir: string;
  /** The key of `absDir` (`a/b/`, or '' for the bucket). */
  dirKey: string;
  namePrefix: string;
  cursor: string | undefined;
  pageSize: number;
}

/** The entries of one folder (sub-folders as prefixes), one page of them, with the folder's count of entries. */
export async function listDelimitedPage({ contains, absDir, dirKey, namePrefix, cursor, pageSize }: ListScope): Promise<ListPage> {
  const all = await readEntries(contains, absDir, dirKey, namePrefix);
  const after = cursor === undefined ? all : all.filter((e) => e.key > cursor);
  return toPage(after.slice(0, pageSize), after.length > pageSize, all.length);
}

/** Every file below the folder, in key order, one page of them. */
export async function listFlatPage({ contains, absDir, dirKey, namePrefix, cursor, pageSize }: ListScope): Promise<ListPage> {
  const picked: LocalEntry[] = [];
  let more = false;
  for await (const entry of walkFiles(contains, absDir, dirKey, namePrefix, cursor)) {
    if (picked.length === pageSize) {
      more = true;
      break;
    }
    picked.push(entry);
  }
  return toPage(picked, more);
}
