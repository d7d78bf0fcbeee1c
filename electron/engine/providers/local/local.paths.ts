import { InvalidInputError } from '../../../../shared/errors';
import { HOST_PATH_RULES, type LocalPathRules } from './local.platform';

export { isWithin } from './local.platform';

/** Longest file or folder name most local file systems accept (ext4, APFS, NTFS), in bytes. */
export const MAX_SEGMENT_BYTES = 255;
/** Longest whole key (features.maxKeyBytes): a full path beyond this fails on most systems (Linux PATH_MAX). */
export const MAX_KEY_BYTES = 4096;

/** Names of in-flight writes; listings hide them so that a half-written file is never shown or copied. */
export const TEMP_PREFIX = '.skyferry-tmp-';
/** Random bytes in a temp name, written as hex. */
export const TEMP_RANDOM_BYTES = 8;
/** TEMP_PREFIX and TEMP_RANDOM_BYTES in hex, and nothing else. */
const TEMP_NAME = /^\.skyferry-tmp-[0-9a-f]{16}$/;

/** Exactly the names Skyferry gives its temp files, so a user's own `.skyferry-tmp-notes.txt` is never one. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** Characters Windows refuses in a name (`:` would also name an alternate data stream), and control characters. */
const WINDOWS_FORBIDDEN = /[<>:"|?*\u0000-\u001f]/;
/** Windows device names, with or without an extension: `CON`, `nul.txt`, `COM1`. */
const WINDOWS_RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)(\..*)?$/i;

function checkSegment(segment: string, whole: string, what: string, rules: LocalPathRules): void {
  if (segment === '.' || segment === '..') {
    throw new InvalidInputError(`${what} "${whole}" contains a "${segment}" segment, which a local folder cannot hold safely`);
  }
  if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
    throw new InvalidInputError(`${what} "${whole}" has a name part longer than ${MAX_SEGMENT_BYTES} bytes, too long for a local disk`);
  }
  if (rules.windows) {
    // Downloads arrive here already escaped (jobs/local-names.ts); a raw name like these would reach another file.
    if (WINDOWS_FORBIDDEN.test(segment)) throw new InvalidInputError(`${what} "${whole}" has a name with a character Windows does not allow (< > : " | ? * or a control character)`);
    if (WINDOWS_RESERVED.test(segment)) throw new InvalidInputError(`${what} "${whole}" has the name "${segment}", which Windows reserves for a device`);
    if (/[. ]$/.test(segment)) throw new InvalidInputError(`${what} "${whole}" has a name ending in a dot or a space, which Windows drops`);
  }
}

function checkCharacters(value: string, what: string, rules: LocalPathRules): void {
  if (value.includes('\0')) throw new InvalidInputError(`${what} contains a NUL character, which a local disk cannot store`);
  if (value.includes('\\')) throw new InvalidInputError(`${what} "${value}" contains a backslash, which local folders do not allow in names`);
  if (rules.windows && /^[A-Za-z]:/.test(value)) {
    throw new InvalidInputError(`${what} "${value}" starts with a drive letter; keys are relative to the account's folder`);
  }
}

/** A bucket of the local provider is one sub-folder of the root: a single, plain name. */
export function checkBucketName(bucket: string, rules: LocalPathRules = HOST_PATH_RULES): void {
  if (!bucket) throw new InvalidInputError('Choose a folder (bucket) name');
  checkCharacters(bucket, 'Folder name', rules);
  if (bucket.includes('/')) throw new InvalidInputError(`Folder name "${bucket}" must not contain "/"`);
  checkSegment(bucket, bucket, 'Folder name', rules);
}

/**
 * Splits a key into its path segments, refusing anything that could escape the bucket folder or that two keys
 * could share on disk: `..`/`.` segments, empty segments (`a//b`), absolute paths, backslashes, NUL, and names over
 * 255 bytes. A trailing `/` (a folder marker) is allowed and reported as `isFolder`.
 */
export function splitKey(key: string, options: { allowPartialLast?: boolean } = {}, rules: LocalPathRules = HOST_PATH_RULES): { segments: string[]; isFolder: boolean } {
  if (!key) return { segments: [], isFolder: false };
  checkCharacters(key, 'Key', rules);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new InvalidInputError(`Key "${key.slice(0, 60)}…" is longer than ${MAX_KEY_BYTES} bytes, too long for a local disk`);
  if (key.startsWith('/')) throw new InvalidInputError(`Key "${key}" is an absolute path; keys are relative to the bucket folder`);
  const isFolder = key.endsWith('/');
  const body = isFolder ? key.slice(0, -1) : key;
  const segments = body.split('/');
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    // A listing prefix may end in a partial name such as "pag" or ".": that part only filters, it is never a path.
    if (last && options.allowPartialLast && !isFolder) continue;
    if (segment === '') throw new InvalidInputError(`Key "${key}" has an empty name part ("//"), which a local folder cannot hold`);
    checkSegment(segment, key, 'Key', rules);
  }
  return { segments, isFolder };
}
