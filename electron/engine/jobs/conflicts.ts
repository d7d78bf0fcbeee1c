import { MAX_CONFLICTS_LISTED, type Conflict, type ConflictCheckRequest, type ConflictReport, type ConflictSide } from '../../../shared/contract/jobs.channels';
import { baseName, parseLocation } from '../../../shared/location';
import type { ObjectMetadata } from '../../../shared/model';
import { statIfAny } from '../providers/provider';
import { DestinationIndex } from './destination-index';
import { expandSources } from './expand';
import type { Resolver } from './types';

/** HEADs in flight while a conflict check asks single objects (both sides of a conflict, or files no listing covers). */
const CONCURRENCY = 8;

interface Planned {
  /** Its place in the listing: conflicts are reported in that order. */
  n: number;
  source: string;
  destination: string;
  size: number;
}

/**
 * The files of a copy or move whose destination already holds an object, before the job writes anything, so the
 * user can choose what happens to each. The sources are expanded exactly as the job will expand them (expand.ts:
 * same names, same local renames), the destination is listed once (destination-index.ts) where that is cheaper
 * than a HEAD per file, and only the files found there are asked for both sides' size, date and class. Folder
 * markers are not conflicts: an existing folder holds nothing a copy could lose. At most `cap` are listed.
 */
export async function findConflicts(request: ConflictCheckRequest, resolve: Resolver, signal: AbortSignal, cap = MAX_CONFLICTS_LISTED): Promise<ConflictReport> {
  const files: Planned[] = [];
  const exact = request.destinationIsExact === true;
  await expandSources({
    sources: request.sources,
    destination: request.destination,
    exact,
    ...(request.alternates?.length ? { alternates: request.alternates } : {}),
    resolve,
    signal,
    onFile: (f) => {
      if (f.planError || f.destination === undefined || f.destination === f.source) return;
      files.push({ n: files.length, source: f.source, destination: f.destination, size: f.size });
    },
  });
  let index: DestinationIndex | undefined;
  try {
    index = await DestinationIndex.build(
      files.map((f) => f.destination),
      resolve,
      signal,
    );
  } catch (e) {
    if (signal.aborted) throw e;
    // Not fatal: each file is then asked on its own.
  }
  const folder = folderKey(request.destination, exact);
  const found: Array<{ file: Planned; existing: ObjectMetadata }> = [];
  let truncated = false;
  await eachLimited(files, CONCURRENCY, signal, async (file) => {
    if (found.length > cap) return false;
    const d = await resolve(file.destination);
    if (d.location.key.endsWith('/')) return true;
    const listed = index?.lookup(d.provider, d.location.bucket, d.location.key);
    const existing = listed === undefined ? await statIfAny(d.provider, d.location.bucket, d.location.key, signal) : (listed ?? undefined);
    if (existing !== undefined) found.push({ file, existing });
    return true;
  });
  found.sort((a, b) => a.file.n - b.file.n);
  if (found.length > cap) {
    truncated = true;
    found.length = cap;
  }
  // Both sides as the dialog shows them: the listing has no class and the source listing no date, so each side of a
  // conflict is asked once (two HEADs per conflict, none per file without one).
  const conflicts: Conflict[] = new Array<Conflict>(found.length);
  await eachLimited(
    found.map((c, i) => ({ ...c, i })),
    CONCURRENCY,
    signal,
    async ({ file, existing, i }) => {
      const [s, d] = await Promise.all([resolve(file.source), resolve(file.destination)]);
      const [srcMeta, dstMeta] = await Promise.all([statIfAny(s.provider, s.location.bucket, s.location.key, signal), statIfAny(d.provider, d.location.bucket, d.location.key, signal)]);
      conflicts[i] = {
        name: relativeName(d.location.key, folder, exact),
        source: side(file.source, srcMeta ?? { key: s.location.key, size: file.size, checksums: {}, userMetadata: {} }),
        destination: side(file.destination, dstMeta ?? existing),
      };
      return true;
    },
  );
  // Listing order (the order the user sees in the panes), whatever order the HEADs answered in.
  return { conflicts: conflicts.filter((c) => c !== undefined), truncated, files: files.length };
}

function side(uri: string, meta: ObjectMetadata): ConflictSide {
  return {
    uri,
    size: meta.size,
    ...(meta.modified === undefined ? {} : { modified: meta.modified }),
    ...(meta.storageClass === undefined ? {} : { storageClass: meta.storageClass }),
  };
}

/** The key of the folder the job writes into: names in the report are relative to it. */
function folderKey(destination: string, exact: boolean): string | undefined {
  if (exact) return undefined;
  const key = parseLocation(destination).key;
  return key === '' || key.endsWith('/') ? key : `${key}/`;
}

function relativeName(key: string, folder: string | undefined, exact: boolean): string {
  if (exact || folder === undefined || !key.startsWith(folder)) return baseName(key);
  return key.slice(folder.length);
}

/** Runs `fn` over `items`, at most `limit` at once, in order; stops handing out items once one answers false. */
async function eachLimited<T>(items: readonly T[], limit: number, signal: AbortSignal, fn: (item: T) => Promise<boolean>): Promise<void> {
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop && !signal.aborted && next < items.length) {
      const item = items[next++] as T;
      if (!(await fn(item))) stop = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  signal.throwIfAborted();
}

const reservations = new WeakMap<object, (key: string) => boolean>();

/**
 * The keys a job's files are to be written to, for a "keep both" copy to stay clear of (copying `a.txt` and
 * `a (1).txt` into a folder holding `a.txt` must not write both to `a (1).txt`). Built once per job, and only for a
 * job where some file may keep both.
 */
export function reservedKeys(job: { options: { overwrite: string; decisions?: Readonly<Record<string, string>> | undefined }; files: ReadonlyArray<{ destination?: string | undefined }> }): ((key: string) => boolean) | undefined {
  const keepsBoth = job.options.overwrite === 'keepBoth' || Object.values(job.options.decisions ?? {}).includes('keepBoth');
  if (!keepsBoth) return undefined;
  let reserved = reservations.get(job);
  if (reserved === undefined) {
    const keys = new Set<string>();
    for (const f of job.files) if (f.destination !== undefined) keys.add(parseLocation(f.destination).key);
    reserved = (key) => keys.has(key);
    reservations.set(job, reserved);
  }
  return reserved;
}
