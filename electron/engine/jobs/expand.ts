import { InvalidInputError, NotFoundError, toErrorInfo } from '../../../shared/errors';
import { baseName, formatLocation, type Location } from '../../../shared/location';
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
}

interface DestinationPlan {
  location: Location;
  local: boolean;
  maxKeyBytes: number;
  planner: LocalNamePlanner | undefined;
}

/**
 * Sources to a flat list of files by paging `provider.list` (one page in memory at a time): a prefix is taken
 * recursively and lands under its own name in the destination (`photos/` into `backup/` gives
 * `backup/photos/...`), an object lands under its base name. Sizes are summed here so that bytesTotal is known
 * before the first byte moves.
 */
export async function expandSources(input: ExpandInput): Promise<{ files: number; bytes: number }> {
  const dest = input.destination === undefined ? undefined : await planDestination(input.destination, input.resolve);
  let files = 0;
  let bytes = 0;
  const emit = (source: Location, rel: string, size: number, etag: string | undefined): void => {
    const file: PlannedFile = { source: formatLocation(source), size };
    if (etag !== undefined) file.etag = etag;
    if (dest) placeIn(dest, rel, file);
    input.onFile(file);
    files++;
    bytes += size;
  };
  for (const uri of input.sources) {
    const { provider, location } = await input.resolve(uri);
    if (!location.bucket) throw new InvalidInputError(`${uri} is an account, not a folder or file: choose a bucket or a folder inside it`);
    let prefix: string | undefined;
    if (location.key === '' || location.key.endsWith('/')) {
      prefix = location.key;
    } else {
      try {
        const meta = await provider.stat(location.bucket, location.key, input.signal);
        emit(location, baseName(location.key), meta.size, meta.etag);
        continue;
      } catch (e) {
        // A folder selected without its trailing slash: take it as a prefix if anything lies below it.
        if (!(e instanceof NotFoundError)) throw e;
        const probe = await provider.list(location.bucket, { prefix: `${location.key}/`, pageSize: 1 }, input.signal);
        if (probe.entries.length === 0) throw e;
        prefix = `${location.key}/`;
      }
    }
    const folderName = prefix === '' ? location.bucket : baseName(prefix);
    let cursor: string | undefined;
    do {
      const page = await provider.list(location.bucket, { prefix, cursor, pageSize: input.pageSize ?? 1000 }, input.signal);
      for (const entry of page.entries) {
        if (entry.isPrefix) continue;
        emit({ ...location, key: entry.key }, `${folderName}/${entry.key.slice(prefix.length)}`, entry.size, entry.etag);
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  return { files, bytes };
}

async function planDestination(uri: string, resolve: Resolver): Promise<DestinationPlan> {
  const { provider, location } = await resolve(uri);
  if (!location.bucket) throw new InvalidInputError(`${uri} is an account: choose a bucket or folder to copy into`);
  const key = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
  const local = location.kind === 'local';
  return {
    location: { ...location, key },
    local,
    maxKeyBytes: provider.features.maxKeyBytes,
    planner: local ? new LocalNamePlanner({ ...defaultNameRules(), caseInsensitive: provider.features.caseInsensitive }) : undefined,
  };
}

function placeIn(dest: DestinationPlan, rel: string, file: PlannedFile): void {
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
  const key = dest.location.key + relOut;
  file.destination = formatLocation({ ...dest.location, key });
  if (Buffer.byteLength(key) > dest.maxKeyBytes) {
    file.planError = toErrorInfo(new InvalidInputError(`The name is ${Buffer.byteLength(key)} bytes, longer than the destination allows (${dest.maxKeyBytes}); not copied, never truncated`));
  }
}
