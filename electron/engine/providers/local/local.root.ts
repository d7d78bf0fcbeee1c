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
  /** Creates (or walks) the folders of `segments` under the bucket, one by one, never through a link outside. */
  ensureDirs(bucket: string, segments: readonly string[], key: string): Promise<string>;
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

  const ensureDirs = async (bucket: string, segments: readonly string[], key: string): Promise<string> => {
    const top = await real();
    let cur = await bucketDir(bucket);
    for (const [i, segment] of segments.entries()) {
      const next = path.join(cur, segment);
      const what = `"${segments.slice(0, i + 1).join('/')}/" in ${bucket}`;
      try {
        await mkdir(next);
        cur = next;
        continue;
      } catch (e) {
        if (codeOf(e) !== 'EEXIST') throw toLocalError(e, what);
      }
      const resolved = await realpath(next).catch((e: unknown) => {
        throw toLocalError(e, what);
      });
      if (!isWithin(top, resolved)) throw new AccessDeniedError(`${what} is a link to a place outside ${root}; Skyferry does not write through it`);
      if (!(await stat(resolved)).isDirectory()) throw new ConflictError(`${what} is a file, so it cannot hold "${key}"`);
      cur = resolved;
    }
    return cur;
  };

  return { real, inside, bucketDir, existing, ensureDirs };
}
