import { InvalidInputError, NotFoundError, toErrorInfo } from '../../../shared/errors';
import { baseName, formatLocation, parentPrefix, type Location } from '../../../shared/location';
import type { ObjectMetadata } from '../../../shared/model';
import type { Provider } from '../providers/provider';
import { LocalNamePlanner, defaultNameRules } from './local-names';
import type { PlannedFile, Resolver } from './types';

export interface ExpandInput {
  sources: readonly string[];
  /** A prefix URI; absent for deletes. */
  destination?: string;
  resolve: Resolver;
  signal: AbortSignal;
  /** Called for each planned file in listing order. */
  onFile: (file: PlannedFile) => void;
  pageSize?: number;
  /** The destination is the new name itself (JobOptions.destinationIsExact: rename, "copy as"). */
  exact?: boolean;
  /** Other locations of the one source object (JobOptions.alternates): its size comes from the first that answers. */
  alternates?: readonly string[];
  /**
   * The sources are to be removed (a delete, a move): each is listed only inside the folder it was chosen in, never
   * through a symlink leading out of it, and its files carry that folder (PlannedFile.sourceWithin).
   */
  removesSources?: boolean;
}

interface DestinationPlan {
  provider: Provider;
  /** The destination's key as the user gave it. */
  givenKey: string;
  /** Its folder form (ends in '/' unless ''): where sources land under their own names. */
  location: Location;
  local: boolean;
  maxKeyBytes: number;
  planner: LocalNamePlanner | undefined;
}

/**
 * Sources to a flat list of files by paging `provider.list` (one page in memory at a time): a prefix is taken
 * recursively and lands under its own name in the destination (`photos/` into `backup/` gives
 * `backup/photos/...`), an object lands under its base name. A single object sent to a destination that is not a
 * folder lands at exactly that key, and an exact destination (a rename) takes a prefix's contents, not the prefix:
 * see JobOptions.destinationIsExact. Sizes are summed here so that bytesTotal is known before the first byte moves.
 */
export async function expandSources(input: ExpandInput): Promise<{ files: number; bytes: number }> {
  const dest = input.destination === undefined ? undefined : await planDestination(input.destination, input.resolve);
  if (input.exact && (input.sources.length !== 1 || !dest)) throw new InvalidInputError('A rename takes exactly one source and its new name');
  let files = 0;
  let bytes = 0;
  let sourceWithin: string | undefined;
  const emit = (source: Location, rel: string, size: number, etag: string | undefined, base = dest?.location.key ?? ''): void => {
    const file: PlannedFile = { source: formatLocation(source), size };
    if (etag !== undefined) file.etag = etag;
    if (sourceWithin !== undefined) file.sourceWithin = sourceWithin;
    if (dest) placeIn(dest, base, rel, file);
    // Copying an object onto itself, and above all a move that would then delete it, is never what was meant.
    if (file.destination === file.source && !file.planError) {
      file.planError = toErrorInfo(new InvalidInputError('The source and the destination are the same object: nothing was copied or removed'));
    }
    input.onFile(file);
    files++;
    bytes += size;
  };
  for (const uri of input.sources) {
    const { provider, location } = await input.resolve(uri);
    if (!location.bucket) throw new InvalidInputError(`${uri} is an account, not a folder or file: choose a bucket or a folder inside it`);
    // The folder the source was chosen in: a folder chosen there that is a link out of it is removed as a link, its
    // target's files untouched, as a file manager does.
    sourceWithin = input.removesSources === true ? parentPrefix(location.key) : undefined;
    const within = sourceWithin === undefined ? {} : { within: sourceWithin };
    let prefix: string | undefined;
    if (input.alternates?.length) {
      // A read with failover is of one object: the first location that answers gives its size.
      if (location.key === '' || location.key.endsWith('/')) throw new InvalidInputError(`${uri} is a folder: alternate locations are for one object`);
      const found = await statAnyLocation(uri, input.alternates, input.resolve, input.signal);
      const target = dest ? await exactTarget(dest, input.exact === true, input.signal) : undefined;
      // The ETag is kept only when the first location gave it: the transfer reads conditionally on it.
      const etag = found.primary ? found.meta.etag : undefined;
      if (target) emit(location, baseName(target), found.meta.size, etag, parentPrefix(target));
      else emit(location, baseName(location.key), found.meta.size, etag);
      continue;
    }
    if (location.key === '' || location.key.endsWith('/')) {
      prefix = location.key;
    } else {
      try {
        const meta = await provider.stat(location.bucket, location.key, input.signal);
        const target = dest && input.sources.length === 1 ? await exactTarget(dest, input.exact === true, input.signal) : undefined;
        if (target) emit(location, baseName(target), meta.size, meta.etag, parentPrefix(target));
        else emit(location, baseName(location.key), meta.size, meta.etag);
        continue;
      } catch (e) {
        // A folder selected without its trailing slash: take it as a prefix if anything lies below it.
        if (!(e instanceof NotFoundError)) throw e;
        const probe = await provider.list(location.bucket, { prefix: `${location.key}/`, pageSize: 1, ...within }, input.signal);
        if (probe.entries.length === 0) throw e;
        prefix = `${location.key}/`;
      }
    }
    // A rename moves the prefix's contents to the new prefix; a copy into a folder keeps the prefix's own name.
    const folder = input.exact ? '' : `${prefix === '' ? location.bucket : baseName(prefix)}/`;
    let cursor: string | undefined;
    do {
      const page = await provider.list(location.bucket, { prefix, cursor, pageSize: input.pageSize ?? 1000, ...within }, input.signal);
      for (const entry of page.entries) {
        if (entry.isPrefix) continue;
        emit({ ...location, key: entry.key }, `${folder}${entry.key.slice(prefix.length)}`, entry.size, entry.etag);
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  return { files, bytes };
}

/** The object's metadata from the first of its locations that answers; the first location's error when none does. */
async function statAnyLocation(uri: string, alternates: readonly string[], resolve: Resolver, signal: AbortSignal): Promise<{ meta: ObjectMetadata; primary: boolean }> {
  let first: unknown;
  for (const [n, u] of [uri, ...alternates].entries()) {
    try {
      const { provider, location } = await resolve(u);
      return { meta: await provider.stat(location.bucket, location.key, signal), primary: n === 0 };
    } catch (e) {
      if (signal.aborted) throw e;
      first ??= e;
    }
  }
  throw first;
}

async function planDestination(uri: string, resolve: Resolver): Promise<DestinationPlan> {
  const { provider, location } = await resolve(uri);
  if (!location.bucket) throw new InvalidInputError(`${uri} is an account: choose a bucket or folder to copy into`);
  const key = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
  const local = location.kind === 'local';
  return {
    provider,
    givenKey: location.key,
    location: { ...location, key },
    local,
    maxKeyBytes: provider.features.maxKeyBytes,
    planner: local ? new LocalNamePlanner({ ...defaultNameRules(), caseInsensitive: provider.features.caseInsensitive }) : undefined,
  };
}

/**
 * The exact key a single object goes to, or undefined when the destination is a folder: one ending in '/', or
 * (unless the request says it is the new name) one that already holds objects below it, as `cp` does.
 */
async function exactTarget(dest: DestinationPlan, exact: boolean, signal: AbortSignal): Promise<string | undefined> {
  const key = dest.givenKey;
  if (key === '' || key.endsWith('/')) {
    if (exact) throw new InvalidInputError(`The new name of a file cannot end in '/': ${formatLocation(dest.location)}`);
    return undefined;
  }
  if (exact) return key;
  const below = await dest.provider.list(dest.location.bucket, { prefix: `${key}/`, pageSize: 1 }, signal);
  return below.entries.length > 0 ? undefined : key;
}

function placeIn(dest: DestinationPlan, base: string, rel: string, file: PlannedFile): void {
  let relOut = rel;
  if (dest.planner) {
    const named = dest.planner.add(rel);
    if (!named.ok) {
      file.planError = { code: named.code, message: named.message };
      return;
    }
    relOut = named.relPath;
    if (named.renamed) {
      file.renamedTo = named.relPath;
      if (named.notice !== undefined) file.notice = named.notice;
    }
  }
  const key = base + relOut;
  file.destination = formatLocation({ ...dest.location, key });
  if (Buffer.byteLength(key) > dest.maxKeyBytes) {
    file.planError = toErrorInfo(new InvalidInputError(`The name is ${Buffer.byteLength(key)} bytes, longer than the destination allows (${dest.maxKeyBytes}); not copied, never truncated`));
  }
}
