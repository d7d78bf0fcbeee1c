import { createHash } from 'node:crypto';
import { lstat, mkdir, open, readdir, realpath, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { LocalSettings } from '../../../../shared/accounts';
import { AccessDeniedError, CancelledError, ConflictError, InvalidInputError, NotFoundError, UnsupportedError } from '../../../../shared/errors';
import type { BucketInfo, ObjectMetadata } from '../../../../shared/model';
import { throwIfCancelled } from '../common/call';
import { codeOf } from '../common/errors';
import { mapLimit } from '../common/pool';
import type { Features, Provider, RemoveManyResult } from '../provider';
import { toLocalError } from './local.errors';
import { etagOf, listDelimitedPage, listFlatPage } from './local.list';
import { guessContentType } from './local.mime';
import { checkBucketName, MAX_KEY_BYTES, splitKey } from './local.paths';
import { HOST_PATH_RULES, isDriveRoot } from './local.platform';
import { localRoot } from './local.root';
import { copyAtomically, removeDeadTemps, writeAtomically } from './local.write';

const FEATURES: Features = {
  // Local files store no hash; hash() computes one on demand by reading the file.
  hashes: [],
  storageClasses: [],
  setMetadata: false,
  maxKeyBytes: MAX_KEY_BYTES,
  metadataNamesIdentifiersOnly: false,
  caseInsensitive: HOST_PATH_RULES.caseInsensitive,
  versions: false,
  storesMetadata: false,
  conditionalRead: false,
  conditionalClassChange: false,
};

/** The drives of a Windows computer that exist now (`C:`, `D:`, …); a network share is reached by its location, `file:///UNC/host/share/`. */
async function listDrives(): Promise<BucketInfo[]> {
  const letters = Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i));
  const found = await Promise.all(letters.map(async (l) => ((await stat(`${l}:\\`).catch(() => undefined))?.isDirectory() ? `${l}:` : undefined)));
  return found.filter((d): d is string => d !== undefined).map((name) => ({ name }));
}

/**
 * Removes `dir` and the folders below it that are empty once their own empty folders are gone, deepest first; a
 * folder still holding anything (a file, a link, an entry that could not go) stays. Links are never followed.
 */
async function removeEmptyTree(dir: string, signal?: AbortSignal): Promise<number> {
  throwIfCancelled(signal);
  let removed = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const d of entries) if (d.isDirectory()) removed += await removeEmptyTree(path.join(dir, d.name), signal);
  try {
    await rmdir(dir);
    removed++;
  } catch (e) {
    if (codeOf(e) !== 'ENOTEMPTY' && codeOf(e) !== 'EEXIST' && codeOf(e) !== 'ENOENT') throw toLocalError(e, `The folder ${dir}`);
  }
  return removed;
}

/** Removals in flight at once for removeMany. */
const REMOVE_CONCURRENCY = 8;

/** A local folder's provider: it always has copy() and hash(). */
export type LocalProvider = Provider & Required<Pick<Provider, 'copy' | 'hash'>>;

/**
 * A local folder as a provider: the root's sub-folders are the buckets, keys are `/`-separated paths below them.
 * Keys that could escape the folder are refused (local.paths.ts), symlinks are never followed out of the root
 * (local.root.ts), and writes go to a temp file in the target folder that is fsynced and renamed, so a failed write
 * leaves nothing.
 */
export function createLocalProvider(settings: LocalSettings): LocalProvider {
  const { root } = settings;
  const fsRoot = localRoot(root);
  // The built-in account on Windows: its buckets are the drives and UNC, which Skyferry neither creates nor removes.
  const driveRoot = isDriveRoot(root, HOST_PATH_RULES);
  const refuseDrive = (bucket: string): void => {
    if (driveRoot) throw new UnsupportedError(`${bucket} is a drive or a network share of this computer; Skyferry does not create or remove those`);
  };

  const remove: Provider['remove'] = async (bucket, key, signal, options) => {
    throwIfCancelled(signal);
    const { segments, isFolder } = splitKey(key);
    if (!segments.length) throw new InvalidInputError('Choose an object: the key is empty');
    const { dir, rest } = await fsRoot.locate(bucket, segments);
    if (!rest.length) throw new InvalidInputError(`"${key}" is a network share itself; Skyferry does not remove it`);
    const what = `"${key}" in ${bucket}`;
    const within = options?.within;
    if (within !== undefined && !key.startsWith(within)) throw new InvalidInputError(`${what} is not inside the folder "${within}" it is to be removed from`);
    // Only the parent is resolved: the entry itself is removed, never what a link points to.
    const parent = await fsRoot.inside(path.join(dir, ...rest.slice(0, -1)), what).catch((e: unknown) => {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    });
    if (!parent) return;
    if (within !== undefined) {
      // Below the folder the user chose, a link may only lead to another place inside that folder.
      const inFence = await fsRoot.fence(bucket, within);
      if (!inFence) return;
      if (!inFence(parent)) throw new AccessDeniedError(`${what} is reached through a link to ${parent}, outside the folder "${within}" chosen; Skyferry does not remove through it`);
    }
    const target = path.join(parent, rest[rest.length - 1] ?? '');
    const s = await lstat(target).catch(() => undefined);
    if (!s) return; // already gone counts as removed, as on every cloud
    const etag = options?.ifMatch?.etag;
    if (etag !== undefined && !s.isDirectory()) {
      // A disk has no conditional unlink: compare the file (what stat() reported, through a link) just before it.
      // Best effort: a rewrite between this stat and the unlink, or within the same millisecond at the same size,
      // is not seen.
      const now = s.isSymbolicLink() ? await stat(target).catch(() => undefined) : s;
      if (!now || etagOf(now) !== etag) throw new ConflictError(`${what} changed since it was checked`);
    }
    try {
      if (s.isDirectory()) {
        if (isFolder) await rmdir(target);
      } else if (!isFolder || s.isSymbolicLink()) {
        await unlink(target);
      }
    } catch (e) {
      throw toLocalError(e, isFolder ? `Folder ${what}` : what);
    }
  };

  return {
    kind: 'local',
    features: FEATURES,

    async listBuckets(signal) {
      throwIfCancelled(signal);
      if (driveRoot) return listDrives();
      const top = await fsRoot.real();
      const dirents = await readdir(top, { withFileTypes: true }).catch((e: unknown) => {
        throw toLocalError(e, `The folder ${root}`);
      });
      const out: BucketInfo[] = [];
      for (const d of dirents) {
        if (d.isDirectory()) out.push({ name: d.name });
        else if (d.isSymbolicLink()) {
          const real = await realpath(path.join(top, d.name)).catch(() => undefined);
          if (real && fsRoot.contains(real) && (await stat(real).catch(() => undefined))?.isDirectory()) out.push({ name: d.name });
        }
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : 1));
    },

    async createBucket(bucket, signal) {
      throwIfCancelled(signal);
      refuseDrive(bucket);
      checkBucketName(bucket);
      await mkdir(path.join(await fsRoot.real(), bucket)).catch((e: unknown) => {
        throw toLocalError(e, `A folder named ${bucket} in ${root}`);
      });
    },

    async removeBucket(bucket, signal) {
      throwIfCancelled(signal);
      refuseDrive(bucket);
      await fsRoot.bucketDir(bucket);
      const p = path.join(await fsRoot.real(), bucket);
      if ((await lstat(p)).isSymbolicLink()) throw new InvalidInputError(`Bucket ${bucket} is a link to another folder: remove the link in your file manager`);
      await rmdir(p).catch((e: unknown) => {
        throw toLocalError(e, `Bucket ${bucket}`);
      });
    },

    async list(bucket, options, signal) {
      throwIfCancelled(signal);
      // A drive-root account finds its folder from the prefix too (a share's host and share).
      const bucketDir = driveRoot ? undefined : await fsRoot.bucketDir(bucket);
      const prefix = options.prefix ?? '';
      const { segments, isFolder } = splitKey(prefix, { allowPartialLast: true });
      const dirSegments = isFolder ? segments : segments.slice(0, -1);
      const namePrefix = isFolder ? '' : (segments[segments.length - 1] ?? '');
      const dirKey = dirSegments.length ? `${dirSegments.join('/')}/` : '';
      const { dir, rest } = bucketDir === undefined ? await fsRoot.locate(bucket, dirSegments) : { dir: bucketDir, rest: dirSegments };
      if (options.within !== undefined && !prefix.startsWith(options.within)) throw new InvalidInputError(`"${prefix}" is not inside the folder "${options.within}" it is to be listed in`);
      // Real paths a listed link may lead to: inside the root, and inside the chosen folder when the caller names one.
      const contains = await fsRoot.fence(bucket, options.within);
      if (!contains) return { entries: [] };
      // A prefix folder that is missing, a file, or a link out of the root (or the chosen folder) lists as empty, as a cloud prefix would.
      const start = await realpath(path.join(dir, ...rest)).catch(() => undefined);
      if (!start || !contains(start)) return { entries: [] };
      const scope = { contains, absDir: start, dirKey, namePrefix, cursor: options.cursor, pageSize: Math.max(1, Math.min(options.pageSize ?? 1000, 5000)) };
      try {
        return await (options.delimiter === '/' ? listDelimitedPage(scope) : listFlatPage(scope));
      } catch (e) {
        throw toLocalError(e, `"${prefix}" in ${bucket}`);
      }
    },

    async stat(bucket, key, signal): Promise<ObjectMetadata> {
      throwIfCancelled(signal);
      const { stats, isFolder } = await fsRoot.existing(bucket, key);
      return {
        key,
        size: isFolder ? 0 : stats.size,
        modified: stats.mtime.toISOString(),
        etag: isFolder ? undefined : etagOf(stats),
        contentType: isFolder ? undefined : guessContentType(key),
        checksums: {},
        userMetadata: {},
      };
    },

    async open(bucket, key, options = {}) {
      throwIfCancelled(options.signal);
      const { real, stats, isFolder, what } = await fsRoot.existing(bucket, key);
      if (isFolder) return Readable.from([]);
      const offset = options.offset ?? 0;
      if (offset < 0 || offset > stats.size) throw new InvalidInputError(`The range starts at byte ${offset}, beyond the end of ${what} (${stats.size} bytes)`);
      const end = options.length === undefined ? stats.size : Math.min(stats.size, offset + options.length);
      if (end <= offset) return Readable.from([]);
      const fh = await open(real, 'r').catch((e: unknown) => {
        throw toLocalError(e, what);
      });
      const stream = fh.createReadStream({ start: offset, end: end - 1 });
      const signal = options.signal;
      if (signal) {
        const onAbort = (): void => void stream.destroy(new CancelledError());
        signal.addEventListener('abort', onAbort, { once: true });
        stream.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      return stream;
    },

    async put(bucket, key, source, options) {
      const { segments, isFolder } = splitKey(key);
      if (!segments.length) throw new InvalidInputError('Choose a name: the key is empty');
      if (isFolder) {
        // A folder marker is a folder on disk; it cannot hold bytes.
        if (options.size !== 0) throw new InvalidInputError(`"${key}" ends with "/", so it is a folder and cannot hold ${options.size} bytes`);
        source.resume();
        throwIfCancelled(options.signal);
        await fsRoot.ensureDirs(bucket, segments, key, options.within);
        return { checksums: {} };
      }
      throwIfCancelled(options.signal);
      const dir = await fsRoot.ensureDirs(bucket, segments.slice(0, -1), key, options.within);
      const target = path.join(dir, segments[segments.length - 1] ?? '');
      const what = `"${key}" in ${bucket}`;
      const existingTarget = await lstat(target).catch(() => undefined);
      if (existingTarget?.isDirectory()) throw new ConflictError(`${what} is a folder; a file of the same name cannot be written`);
      return writeAtomically(dir, target, source, options, what);
    },

    remove,

    async removeMany(bucket, keys, signal, options) {
      // Files first, then folder markers one depth at a time, deepest first, so a folder is empty by its turn.
      const files = keys.filter((k) => !k.endsWith('/'));
      const byDepth = new Map<number, string[]>();
      for (const k of keys) {
        if (!k.endsWith('/')) continue;
        const depth = k.split('/').length;
        const group = byDepth.get(depth);
        if (group) group.push(k);
        else byDepth.set(depth, [k]);
      }
      const folderGroups = [...byDepth.entries()].sort((a, b) => b[0] - a[0]).map(([, group]) => group);
      const failed: RemoveManyResult['failed'] = [];
      let removed = 0;
      for (const group of [files, ...folderGroups]) {
        await mapLimit(group, REMOVE_CONCURRENCY, async (key) => {
          throwIfCancelled(signal);
          try {
            await remove(bucket, key, signal, options?.within === undefined ? undefined : { within: options.within });
            removed++;
          } catch (e) {
            if (e instanceof CancelledError) throw e;
            failed.push({ key, message: toLocalError(e, `"${key}"`).message });
          }
        });
      }
      return { removed, failed };
    },

    async copy(src, dst, options = {}) {
      throwIfCancelled(options.signal);
      const from = await fsRoot.existing(src.bucket, src.key);
      if (from.isFolder) throw new InvalidInputError(`"${src.key}" is a folder; copy the files inside it`);
      const { segments, isFolder } = splitKey(dst.key);
      if (!segments.length || isFolder) throw new InvalidInputError(`"${dst.key}" is not a file name`);
      const dir = await fsRoot.ensureDirs(dst.bucket, segments.slice(0, -1), dst.key, options.within);
      const target = path.join(dir, segments[segments.length - 1] ?? '');
      return copyAtomically(from.real, dir, target, `"${dst.key}" in ${dst.bucket}`, options.signal, options.ifAbsent);
    },

    async removeEmptyFolders(bucket, prefix, options, signal) {
      throwIfCancelled(signal);
      const { segments, isFolder } = splitKey(prefix);
      if (!isFolder || !segments.length) throw new InvalidInputError(`"${prefix}" is not a folder below the bucket`);
      const { dir, rest } = await fsRoot.locate(bucket, segments);
      if (!rest.length) return 0;
      const inFence = await fsRoot.fence(bucket, options.within);
      const parent = await fsRoot.inside(path.join(dir, ...rest.slice(0, -1)), `"${prefix}" in ${bucket}`).catch(() => undefined);
      if (!inFence || !parent || !inFence(parent)) return 0;
      const top = path.join(parent, rest[rest.length - 1] ?? '');
      const s = await lstat(top).catch(() => undefined);
      if (s?.isSymbolicLink()) {
        if (options.removeLink !== true) return 0;
        // The folder chosen to delete is a link: it goes as a link does in a file manager.
        await unlink(top).catch((e: unknown) => {
          throw toLocalError(e, `Folder "${prefix}" in ${bucket}`);
        });
        return 1;
      }
      return s?.isDirectory() ? removeEmptyTree(top, signal) : 0;
    },

    async removeLeftovers(bucket, keys, signal) {
      const bucketDir = driveRoot ? undefined : await fsRoot.bucketDir(bucket);
      // Each folder once: many keys share one.
      const parents = new Map<string, string[]>();
      for (const key of keys) {
        const { segments, isFolder } = splitKey(key);
        if (!isFolder && segments.length) parents.set(segments.slice(0, -1).join('/'), segments.slice(0, -1));
      }
      const folders = new Set<string>();
      for (const [name, segments] of parents) {
        throwIfCancelled(signal);
        const located = bucketDir === undefined ? fsRoot.locate(bucket, segments) : Promise.resolve({ dir: bucketDir, rest: segments });
        const real = await located.then(({ dir, rest }) => fsRoot.inside(path.join(dir, ...rest), `"${name}/" in ${bucket}`)).catch(() => undefined);
        if (real) folders.add(real);
      }
      return removeDeadTemps(folders);
    },

    async setMetadata() {
      throw new UnsupportedError('Local folders cannot store metadata such as content type, cache control or custom fields');
    },

    async hash(bucket, key, kind, signal) {
      if (kind !== 'md5' && kind !== 'sha256') throw new UnsupportedError(`Skyferry computes only MD5 and SHA-256 for local files, not ${kind}`);
      const { real, isFolder, what } = await fsRoot.existing(bucket, key);
      if (isFolder) throw new InvalidInputError(`"${key}" is a folder; only files have a hash`);
      const h = createHash(kind);
      const fh = await open(real, 'r').catch((e: unknown) => {
        throw toLocalError(e, what);
      });
      try {
        for await (const chunk of fh.createReadStream({ autoClose: false })) {
          throwIfCancelled(signal);
          h.update(chunk as Buffer);
        }
      } finally {
        await fh.close();
      }
      return h.digest('hex');
    },
  };
}
