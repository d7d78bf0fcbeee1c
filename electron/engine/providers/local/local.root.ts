import type { Stats } from 'node:fs';
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AccessDeniedError, ConflictError, InvalidInputError, NotFoundError } from '../../../../shared/errors';
import { codeOf } from '../common/errors';
import { toLocalError } from './local.errors';
import { checkBucketName, isWithin, splitKey } from './local.paths';

/** An existing key on disk: its real path, its stats, whether it is a folder, and how a message names it. */
export interface LocalEntry {
  real: string;
  stats: Stats;
  isFolder: boolean;
  what: string;
}

/**
 * The account's folder as the provider reaches into it: every path is resolved to its real place and refused when a
 * symlink on the way leads outside the root (Skyferry never follows one out).
 */
export interface LocalRoot {
  /** The root's own real path (resolved once). */
  real(): Promise<string>;
  /** The real path of an existing entry, refused when a symlink on the way leads outside the root. */
  inside(p: string, what: string): Promise<string>;
  /** The real path of a bucket's folder; NotFoundError when it is not a folder. */
  bucketDir(bucket: string): Promise<string>;
  /** An existing key: a file, or a folder for a key ending in `/`. */
  existing(bucket: string, key: string): Promise<LocalEntry>;
  /**
   * Creates (or walks) the folders of `segments` under the bucket, one by one, never through a link outside the
   * root, nor, below the folder `within` (a prefix of `key`), through a link outside that folder.
   */
  ensureDirs(bucket: string, segments: readonly string[], key: string, within?: string): Promise<string>;
}

/** How many folder segments of `key` name the folder `within`; 0 without one (the bucket's folder is the fence). */
function fenceDepth(key: string, within: string | undefined): number {
  if (within === undefined || within === '') return 0;
  if (!within.endsWith('/') || !key.startsWith(within)) throw new InvalidInputError(`"${key}" is not inside the folder "${within}" it is to be written in`);
  return splitKey(within).segments.length;
}

export function localRoot(root: string): LocalRoot {
  let realRootCache: string | undefined;

  const real = async (): Promise<string> => {
    if (realRootCache) return realRootCache;
    try {
      realRootCache = await realpath(root);
    } catch (e) {
      throw toLocalError(e, `The folder ${root}`);
    }
    return realRootCache;
  };

  const inside = async (p: string, what: string): Promise<string> => {
    const top = await real();
    const resolved = await realpath(p).catch((e: unknown) => {
      throw toLocalError(e, what);
    });
    if (!isWithin(top, resolved)) throw new AccessDeniedError(`${what} is a link to a place outside ${root}; Skyferry does not follow it`);
    return resolved;
  };

  const bucketDir = async (bucket: string): Promise<string> => {
    checkBucketName(bucket);
    const what = `Bucket ${bucket} (a folder in ${root})`;
    const dir = await inside(path.join(await real(), bucket), what);
    const s = await stat(dir).catch((e: unknown) => {
      throw toLocalError(e, what);
    });
    if (!s.isDirectory()) throw new NotFoundError(`${what} does not exist`);
    return dir;
  };

  const existing = async (bucket: string, key: string): Promise<LocalEntry> => {
    if (!key) throw new InvalidInputError('Choose an object: the key is empty');
    const { segments, isFolder } = splitKey(key);
    const dir = await bucketDir(bucket);
    const what = `"${key}" in ${bucket}`;
    const resolved = await inside(path.join(dir, ...segments), what);
    const s = await stat(resolved).catch((e: unknown) => {
      throw toLocalError(e, what);
    });
    if (isFolder ? !s.isDirectory() : !s.isFile()) throw new NotFoundError(`${what} does not exist`);
    return { real: resolved, stats: s, isFolder, what };
  };

  const ensureDirs = async (bucket: string, segments: readonly string[], key: string, within?: string): Promise<string> => {
    const top = await real();
    const depth = fenceDepth(key, within);
    let cur = await bucketDir(bucket);
    // Below the folder the user chose (`within`), a link may only lead to another place inside that folder.
    let fence = depth === 0 ? cur : undefined;
    for (const [i, segment] of segments.entries()) {
      const next = path.join(cur, segment);
      const what = `"${segments.slice(0, i + 1).join('/')}/" in ${bucket}`;
      let made = false;
      try {
        await mkdir(next);
        made = true;
      } catch (e) {
        if (codeOf(e) !== 'EEXIST') throw toLocalError(e, what);
      }
      if (made) {
        cur = next;
      } else {
        const resolved = await realpath(next).catch((e: unknown) => {
          throw toLocalError(e, what);
        });
        if (!isWithin(top, resolved)) throw new AccessDeniedError(`${what} is a link to a place outside ${root}; Skyferry does not write through it`);
        if (fence !== undefined && !isWithin(fence, resolved)) {
          throw new AccessDeniedError(`${what} is a link to ${resolved}, outside the folder ${fence} chosen for this copy; Skyferry does not write through it`);
        }
        if (!(await stat(resolved)).isDirectory()) throw new ConflictError(`${what} is a file, so it cannot hold "${key}"`);
        cur = resolved;
      }
      if (i + 1 === depth) fence = cur;
    }
    return cur;
  };

  return { real, inside, bucketDir, existing, ensureDirs };
}
