import { parseLocation } from '../../../shared/location';
import type { ObjectMetadata } from '../../../shared/model';
import type { Provider } from '../providers/provider';
import type { Resolver } from './types';

/** Below this many files a HEAD each is cheaper than listing a prefix that may hold far more. */
const MIN_FILES = 16;
/** Never more than this many entries in memory (about 100 bytes each plus the key). */
const MAX_ENTRIES = 500_000;

/**
 * What the destination held when the job started, from one paged listing of the prefix its files go to, so that
 * the overwrite decision needs no HEAD per file (rclone lists both sides the same way). Entries are kept compact
 * (key -> "size\tetag\tmodified"). A key missing from a complete listing is absent; when the listing was given
 * up (too many entries, a different bucket per file), `lookup` answers undefined and the caller asks the
 * destination itself. An object written there by someone else after the listing is not seen, as with rclone.
 */
export class DestinationIndex {
  private constructor(
    private readonly entries: Map<string, string>,
    private readonly provider: Provider,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  /** Metadata as listed (size, etag, modified: no checksums, no headers), null when absent, undefined when unknown. */
  lookup(provider: Provider, bucket: string, key: string): ObjectMetadata | null | undefined {
    if (provider !== this.provider || bucket !== this.bucket || !key.startsWith(this.prefix)) return undefined;
    const row = this.entries.get(key);
    if (row === undefined) return null;
    const [size = '0', etag = '', modified = ''] = row.split('\t');
    const meta: ObjectMetadata = { key, size: Number(size), checksums: {}, userMetadata: {} };
    if (etag) meta.etag = etag;
    if (modified) meta.modified = modified;
    return meta;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Lists the longest folder prefix shared by every destination key. Returns undefined when there are too few
   * files to be worth it, when they go to more than one bucket, or when the prefix holds too many objects
   * (more than a few times the files copied, so that copying 20 files into a full bucket lists no more than it must).
   */
  static async build(destinations: readonly string[], resolve: Resolver, signal: AbortSignal): Promise<DestinationIndex | undefined> {
    const [first, ...rest] = destinations;
    if (first === undefined || destinations.length < MIN_FILES) return undefined;
    // One account and bucket for every file, or no index: only the first is resolved, the others are compared.
    const { provider, location } = await resolve(first);
    const bucket = location.bucket;
    let common = location.key;
    for (const uri of rest) {
      const other = parseLocation(uri);
      if (other.kind !== location.kind || other.account !== location.account || other.bucket !== bucket) return undefined;
      common = sharedStart(common, other.key);
    }
    const prefix = common.slice(0, common.lastIndexOf('/') + 1);
    const limit = Math.min(MAX_ENTRIES, Math.max(10_000, destinations.length * 4));
    const entries = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await provider.list(bucket, { prefix, cursor, pageSize: 1000 }, signal);
      for (const e of page.entries) {
        if (e.isPrefix) continue;
        entries.set(e.key, `${e.size}\t${e.etag ?? ''}\t${e.modified ?? ''}`);
      }
      if (entries.size > limit) return undefined;
      cursor = page.cursor;
    } while (cursor !== undefined);
    return new DestinationIndex(entries, provider, bucket, prefix);
  }
}

function sharedStart(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}
