import type { Stats } from 'node:fs';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { AccessDeniedError, ConflictError, InvalidInputError, NotFoundError } from '../../../../shared/errors';
import { codeOf } from '../common/errors';
import { toLocalError } from './local.errors';
import { checkBucketName, splitKey } from './local.paths';
import { driveBucketBase, HOST_PATH_RULES, isDriveRoot, isWithin, type LocalPathRules } from './local.platform';

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
  /** True when a real path lies inside the root (always, for an account rooted at the whole file system). */
  contains(real: string): boolean;
  /** The real path of a bucket's folder; NotFoundError when it is not a folder. */
  bucketDir(bucket: string): Promise<string>;
  /**
   * The real folder that holds a key's segments and the segments left below it: the bucket's folder and all of them,
   * or on a Windows drive-root account the drive (`C:` -> `C:\`) or the share (`UNC` + `host/share/…`).
   */
  locate(bucket: string, segments: readonly string[]): Promise<{ dir: string; rest: string[]; used: number }>;
  /** An existing key: a file, or a folder for a key ending in `/`. */
  existing(bucket: string, key: string): Promise<LocalEntry>;
  /**
   * Creates (or walks) the folders of `segments` under the bucket, one by one, never through a link outside the
   * root, nor, below the folder `within` (a prefix of `key`), through a link outside that folder.
   */
  ensureDirs(bucket: string, segments: readonly string[], key: string, within?: string): Promise<string>;
  /**
   * The test for a real path reached below the folder `within` (a prefix of keys, '' for the bucket): inside that
   * folder's real place, and inside the root. Without `within`, the root's own test. Undefined when the folder does
   * not exist (nothing can be reached below it).
   */
  fence(bucket: string, within: string | undefined): Promise<((real: string) => boolean) | undefined>;
}

/** How many folder segments of `key` name the folder `within`; 0 without one (the bucket's folder is the fence). */
function fenceDepth(key: string, within: string | undefined, rules: LocalPathRules): number {
  if (within === undefined || within === '') return 0;
  if (!within.endsWith('/') || !key.startsWith(within)) throw new InvalidInputError(`"${key}" is not inside the folder "${within}" it is to be written in`);
  return splitKey(within, {}, rules).segments.length;
}

export function localRoot(root: string, rules: LocalPathRules = HOST_PATH_RULES): LocalRoot {
  let realRootCache: string | undefined;
  // On Windows the whole file system is the drives and the shares: every real path is inside it, as under POSIX `/`.
  const driveRoot = isDriveRoot(root, rules);
  const contains = (p: string): boolean => driveRoot || isWithin(realRootCache ?? root, p, rules);

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
    if (!driveRoot && !isWithin(top, resolved, rules)) throw new AccessDeniedError(`${what} is a link to a place outside ${root}; Skyferry does not follow it`);
    return resolved;
  };

  const folder = async (p: string, what: string): Promise<string> => {
    const dir = await inside(p, what);
    const s = await stat(dir).catch((e: unknown) => {
      throw toLocalError(e, what);
    });
    if (!s.isDirectory()) throw new NotFoundError(`${what} does not exist`);
    return dir;
  };

  const locate = async (bucket: string, segments: readonly string[]): Promise<{ dir: string; rest: string[]; used: number }> => {
    if (!driveRoot) return { dir: await bucketDir(bucket), rest: [...segments], used: 0 };
    const { base, rest, used } = driveBucketBase(bucket, segments);
    return { dir: await folder(base, `The folder ${base}`), rest, used };
  };

  const bucketDir = async (bucket: string): Promise<string> => {
    if (driveRoot) return (await locate(bucket, [])).dir;
    checkBucketName(bucket, rules);
    return folder(rules.path.join(await real(), bucket), `Bucket ${bucket} (a folder in ${root})`);
  };

  const existing = async (bucket: string, key: string): Promise<LocalEntry> => {
    if (!key) throw new InvalidInputError('Choose an object: the key is empty');
    const { segments, isFolder } = splitKey(key, {}, rules);
    const { dir, rest } = await locate(bucket, segments);
    const what = `"${key}" in ${bucket}`;
    const resolved = await inside(rules.path.join(dir, ...rest), what);
    const s = await stat(resolved).catch((e: unknown) => {
      throw toLocalError(e, what);
    });
    if (isFolder ? !s.isDirectory() : !s.isFile()) throw new NotFoundError(`${what} does not exist`);
    return { real: resolved, stats: s, isFolder, what };
  };

  const ensureDirs = async (bucket: string, segments: readonly string[], key: string, within?: string): Promise<string> => {
    const top = driveRoot ? '' : await real();
    const fenceSegments = fenceDepth(key, within, rules);
    const located = await locate(bucket, segments);
    // A share's host and share segments are the base folder itself, not folders below it.
    const depth = Math.max(0, fenceSegments - located.used);
    let cur = located.dir;
    // Below the folder the user chose (`within`), a link may only lead to another place inside that folder.
    let fence = depth === 0 ? cur : undefined;
    for (const [i, segment] of located.rest.entries()) {
      const next = rules.path.join(cur, segment);
      const what = `"${segments.slice(0, located.used + i + 1).join('/')}/" in ${bucket}`;
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
        if (!driveRoot && !isWithin(top, resolved, rules)) throw new AccessDeniedError(`${what} is a link to a place outside ${root}; Skyferry does not write through it`);
        if (fence !== undefined && !isWithin(fence, resolved, rules)) {
          throw new AccessDeniedError(`${what} is a link to ${resolved}, outside the folder ${fence} chosen for this copy; Skyferry does not write through it`);
        }
        if (!(await stat(resolved)).isDirectory()) throw new ConflictError(`${what} is a file, so it cannot hold "${key}"`);
        cur = resolved;
      }
      if (i + 1 === depth) fence = cur;
    }
    return cur;
  };

  const fence = async (bucket: string, within: string | undefined): Promise<((real: string) => boolean) | undefined> => {
    await real();
    if (within === undefined) return contains;
    if (within !== '' && !within.endsWith('/')) throw new InvalidInputError(`"${within}" is not a folder (it does not end in "/")`);
    const { segments } = splitKey(within, {}, rules);
    const { dir, rest } = await locate(bucket, segments);
    const top = await inside(rules.path.join(dir, ...rest), `"${within}" in ${bucket}`).catch((e: unknown) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    });
    return top === undefined ? undefined : (p: string) => contains(p) && isWithin(top, p, rules);
  };

  return { real, inside, contains, bucketDir, locate, existing, ensureDirs, fence };
}
