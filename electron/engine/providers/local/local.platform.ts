import path from 'node:path';
import { InvalidInputError } from '../../../../shared/errors';
import { UNC_BUCKET } from '../../../../shared/location';

/**
 * How the local disk of one platform names things: its path module, whether two names differing only in case are
 * one file (macOS and Windows by default), and whether Windows' rules apply (drive letters, UNC shares, reserved
 * names). Every path function of the local provider takes these as a parameter, so the win32 and darwin rules can
 * be exercised on any machine; the provider uses the running platform's.
 */
export interface LocalPathRules {
  path: path.PlatformPath;
  windows: boolean;
  caseInsensitive: boolean;
}

export function pathRulesFor(platform: NodeJS.Platform): LocalPathRules {
  const windows = platform === 'win32';
  return { path: windows ? path.win32 : path.posix, windows, caseInsensitive: windows || platform === 'darwin' };
}

/** The running platform's rules. */
export const HOST_PATH_RULES: LocalPathRules = pathRulesFor(process.platform);

const DRIVE_BUCKET = /^[A-Za-z]:$/;

/**
 * True when the account's root is the whole file system on Windows (the built-in account's `/`): its buckets are then
 * the drives (`C:`, `D:`) and `UNC`, not the sub-folders of one folder.
 */
export function isDriveRoot(root: string, rules: LocalPathRules): boolean {
  return rules.windows && (root === '/' || root === '\\');
}

/** True when `candidate` (a real, resolved path) is `root` or lies below it; without regard to case where the disk ignores it. */
export function isWithin(root: string, candidate: string, rules: LocalPathRules = HOST_PATH_RULES): boolean {
  const fold = (s: string): string => (rules.windows ? s.toLowerCase() : s);
  const r = fold(root);
  const c = fold(candidate);
  if (c === r) return true;
  const base = r.endsWith(rules.path.sep) ? r : r + rules.path.sep;
  return c.startsWith(base);
}

/** The folder a bucket stands for on a drive-root account, and the key segments left below it. */
export interface BucketBase {
  /** Absolute folder: `C:\` for bucket `C:`, `\\host\share\` for `UNC` with key `host/share/…`. */
  base: string;
  /** The key's segments below `base`. */
  rest: string[];
  /** How many of the key's segments `base` used (2 for a UNC share: host and share; 0 for a drive). */
  used: number;
}

/**
 * Maps a bucket of a Windows drive-root account to its folder: `C:`/`c:` to `C:\`, `UNC` with the first two key
 * segments `host/share` to `\\host\share\`. Anything else is refused: such an account has no other buckets.
 * `segments` are already checked by splitKey (no `..`, `\`, drive letter or empty part).
 */
export function driveBucketBase(bucket: string, segments: readonly string[]): BucketBase {
  if (DRIVE_BUCKET.test(bucket)) return { base: `${bucket.toUpperCase()}\\`, rest: [...segments], used: 0 };
  if (bucket === UNC_BUCKET) {
    const [host, share] = segments;
    if (!host || !share) throw new InvalidInputError(`Name a network share: ${UNC_BUCKET}/host/share/`);
    return { base: `\\\\${host}\\${share}\\`, rest: segments.slice(2), used: 2 };
  }
  throw new InvalidInputError(`"${bucket}" is not a drive: the folders of this account are the drives (C:, D:, …) and ${UNC_BUCKET}/host/share`);
}

/**
 * The absolute path of a key: for a drive-root account through driveBucketBase, otherwise the bucket's folder below
 * the root. Pure: nothing is resolved on disk (links are checked by local.root.ts).
 */
export function localTarget(root: string, bucket: string, segments: readonly string[], rules: LocalPathRules): string {
  if (isDriveRoot(root, rules)) {
    const { base, rest } = driveBucketBase(bucket, segments);
    return rules.path.join(base, ...rest);
  }
  return rules.path.join(root, bucket, ...segments);
}
