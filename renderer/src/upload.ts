import { errorMessage, isDesktop, stageUpload } from './api/client';
import { folderToUri, inBucket } from './actions';
import { pickFiles } from './native-dialogs';
import { useStore, type PaneId } from './store';

/** A file to upload and its path relative to what was dropped (`folder/sub/a.txt`). */
export interface PickedFile {
  file: File;
  path: string;
  /** Desktop: the file or folder on disk (top-level drops only). */
  diskPath?: string;
  isDirectory?: boolean;
}

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries answers in batches (100 in Chromium) until it returns an empty one.
  return new Promise((resolve, reject) => {
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, base: string, out: PickedFile[]): Promise<void> {
  const path = base ? `${base}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await walk(child, path, out);
  }
}

/**
 * Takes what a drop event carries, synchronously (DataTransfer items die with the event), and resolves the files
 * inside dropped folders afterwards.
 */
export function collectDropped(dt: DataTransfer): () => Promise<PickedFile[]> {
  const bridge = window.skyferry;
  const roots: { entry: FileSystemEntry | null; file: File | null }[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    roots.push({ entry: item.webkitGetAsEntry(), file: item.getAsFile() });
  }
  if (roots.length === 0) for (const file of Array.from(dt.files)) roots.push({ entry: null, file });
  return async () => {
    const out: PickedFile[] = [];
    for (const { entry, file } of roots) {
      if (bridge?.pathForFile && file) {
        out.push({ file, path: file.name, diskPath: bridge.pathForFile(file), isDirectory: entry?.isDirectory ?? false });
      } else if (entry) await walk(entry, '', out);
      else if (file) out.push({ file, path: file.name });
    }
    return out;
  };
}

export function fromFileList(list: FileList): PickedFile[] {
  return Array.from(list).map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i + 1);
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Upload into the pane's current prefix. Desktop: a copy job straight from the dropped paths. Served: each File is
 * streamed to the host's staging folder, then moved into place by one job per destination folder.
 */
export async function uploadFiles(pane: PaneId, files: PickedFile[]): Promise<void> {
  const s = useStore.getState();
  if (files.length === 0) return;
  if (!inBucket(pane)) {
    s.toast('error', 'Open a bucket or folder in this pane first, then drop files on it.');
    return;
  }
  const prefix = s.panes[pane].prefix;
  if (isDesktop() && files.every((f) => f.diskPath)) {
    const sources = files.map((f) => folderToUri(f.diskPath ?? '').replace(/\/$/, f.isDirectory ? '/' : ''));
    const destination = s.uriOf(pane, prefix);
    if (destination) await s.startCheckedJob({ kind: 'copy', sources, destination }, uploadWhat(files.length, files[0]?.path));
    return;
  }
  s.toast('info', files.length === 1 ? `Uploading ${files[0]?.path ?? ''}…` : `Uploading ${files.length} files…`);
  let staged: { stagedUri: string; path: string }[];
  try {
    staged = await pool(files, 3, async (f) => ({ stagedUri: await stageUpload(f.file, f.path), path: f.path }));
  } catch (e) {
    s.toast('error', e instanceof Error ? e.message : 'Upload failed.');
    return;
  }
  const byDir = new Map<string, string[]>();
  for (const f of staged) {
    const dir = dirOf(f.path);
    byDir.set(dir, [...(byDir.get(dir) ?? []), f.stagedUri]);
  }
  // Each destination folder is checked and asked about on its own (its own job).
  for (const [dir, sources] of byDir) {
    const destination = s.uriOf(pane, prefix + dir);
    if (destination) await s.startCheckedJob({ kind: 'move', sources, destination }, uploadWhat(sources.length, sources.length === 1 ? `${dir}${files.find((f) => dirOf(f.path) === dir)?.file.name ?? ''}` : undefined));
  }
}

/** An absolute path on this computer as the built-in local account's location: `/a/b` -> `file:///a/b`. */
function fileUri(diskPath: string): string {
  return folderToUri(diskPath).replace(/\/$/, '');
}

/**
 * Upload… on desktop: files picked in the native dialog, copied straight from disk by one job. Where there is no
 * native dialog (served mode) `fallback` opens the browser's file input instead.
 */
export async function uploadFromDialog(pane: PaneId, fallback: () => void): Promise<void> {
  const s = useStore.getState();
  let paths: string[] | undefined;
  try {
    paths = await pickFiles({ title: 'Upload files', multiple: true });
  } catch (e) {
    s.toast('error', errorMessage(e));
    return;
  }
  if (paths === undefined) {
    fallback();
    return;
  }
  if (paths.length === 0) return;
  if (!inBucket(pane)) {
    s.toast('error', 'Open a bucket or folder in this pane first, then upload into it.');
    return;
  }
  const destination = s.uriOf(pane, s.panes[pane].prefix);
  if (destination) await s.startCheckedJob({ kind: 'copy', sources: paths.map(fileUri), destination }, uploadWhat(paths.length, paths[0]?.split(/[\\/]/).pop()));
}

/** "Upload report.pdf", or "Upload 3 files", for the conflict question. */
function uploadWhat(count: number, name: string | undefined): string {
  return count === 1 && name ? `Upload ${name}` : `Upload ${count} files`;
}
