import { InvalidInputError, NotFoundError } from '../../../shared/errors';
import type { ObjectEntry } from '../../../shared/model';
import type { Provider } from '../providers/provider';

/**
 * Keys compared by Unicode code point, which is the UTF-8 byte order S3 and GCS list in. JavaScript's `<` compares
 * UTF-16 code units and differs for characters above U+FFFF; a merge-join must use one order for both sides.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Thrown when a provider's flat listing is not in key order: the planner then falls back to an in-memory join. */
export class UnsortedListingError extends Error {
  override readonly name = 'UnsortedListingError';
}

export interface ListCounter {
  listPages: number;
}

/**
 * Every object under `prefix` as a stream, one page in memory at a time, checked to be in `compareKeys` order.
 * Folder entries (isPrefix) never appear in a flat listing; skipped in case a provider adds them.
 */
export async function* flatListing(
  provider: Provider,
  bucket: string,
  prefix: string,
  signal: AbortSignal,
  counter: ListCounter,
  checkOrder = true,
): AsyncGenerator<ObjectEntry> {
  if (!bucket) throw new InvalidInputError('Choose a bucket (or a folder in one), not a whole account');
  let cursor: string | undefined;
  let last: string | undefined;
  do {
    const page = await provider.list(bucket, { prefix, ...(cursor === undefined ? {} : { cursor }), pageSize: 1000 }, signal);
    counter.listPages++;
    for (const entry of page.entries) {
      if (entry.isPrefix) continue;
      if (checkOrder && last !== undefined && compareKeys(last, entry.key) >= 0) {
        throw new UnsortedListingError(`${provider.kind} listed "${entry.key}" after "${last}"`);
      }
      last = entry.key;
      yield entry;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
}

/** A prefix as the planner uses it: '' (bucket root) or ending in '/'. */
export function asPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`;
}

/**
 * Only the objects at `paths` (relative to `prefix`; one ending in '/' is a folder, listed flat) in `compareKeys`
 * order, as `flatListing` gives them: one stat per file, one listing per folder, nothing else of the prefix read.
 * A path that is not there (deleted since) yields nothing. Paths inside a listed folder are listed with it.
 */
export async function* scopedListing(
  provider: Provider,
  bucket: string,
  prefix: string,
  paths: readonly string[],
  signal: AbortSignal,
  counter: ListCounter & { heads: number },
): AsyncGenerator<ObjectEntry> {
  const folders = paths.filter((p) => p.endsWith('/'));
  const scope = [...new Set(paths)].filter((p) => !folders.some((f) => p !== f && p.startsWith(f))).sort(compareKeys);
  for (const rel of scope) {
    if (rel.endsWith('/')) {
      yield* flatListing(provider, bucket, prefix + rel, signal, counter);
      continue;
    }
    try {
      counter.heads++;
      const m = await provider.stat(bucket, prefix + rel, signal);
      const name = m.key.slice(m.key.lastIndexOf('/') + 1);
      yield {
        key: m.key,
        name,
        isPrefix: false,
        size: m.size,
        ...(m.modified === undefined ? {} : { modified: m.modified }),
        ...(m.etag === undefined ? {} : { etag: m.etag }),
        ...(m.storageClass === undefined ? {} : { storageClass: m.storageClass }),
        ...(m.contentType === undefined ? {} : { contentType: m.contentType }),
      };
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}
