import { z } from 'zod';

/** The four kinds of storage Skyferry speaks to. */
export const ProviderKindSchema = z.enum(['s3', 'gcs', 'azure', 'local']);
export type ProviderKind = z.infer<typeof ProviderKindSchema>;

const SCHEME_BY_KIND: Record<ProviderKind, string> = { s3: 's3', gcs: 'gs', azure: 'az', local: 'file' };
const KIND_BY_SCHEME: Record<string, ProviderKind> = { s3: 's3', gs: 'gcs', az: 'azure', file: 'local' };

/** The built-in local account whose root is the file-system root: `file:///home/me` belongs to it. */
export const DEFAULT_LOCAL_ACCOUNT = 'local';

/**
 * A place the user can read and paste: `s3://account/bucket/key`, `gs://…`, `az://account/container/blob`,
 * `file://account/folder/path` (and `file:///abs/path` for the built-in `local` account).
 * Keys are kept verbatim (no percent-encoding): `#`, `?`, `%` and spaces are part of the key.
 */
export interface Location {
  kind: ProviderKind;
  account: string;
  /** Bucket or container; empty for the account root (the list of buckets). */
  bucket: string;
  /** Object key or prefix; empty for the bucket root. A prefix ends with `/`. */
  key: string;
}

export class LocationParseError extends Error {
  override readonly name = 'LocationParseError';
}

export function parseLocation(uri: string): Location {
  const match = /^([a-z][a-z0-9]*):\/\/(.*)$/s.exec(uri);
  if (!match) throw new LocationParseError(`"${uri}" is not a location: expected s3://, gs://, az:// or file://`);
  const scheme = match[1] ?? '';
  const rest = match[2] ?? '';
  const kind = KIND_BY_SCHEME[scheme];
  if (!kind) throw new LocationParseError(`Unknown scheme "${scheme}://": expected s3://, gs://, az:// or file://`);
  let account: string;
  let path: string;
  if (kind === 'local' && rest.startsWith('/')) {
    account = DEFAULT_LOCAL_ACCOUNT;
    path = rest.slice(1);
  } else {
    const slash = rest.indexOf('/');
    account = slash === -1 ? rest : rest.slice(0, slash);
    path = slash === -1 ? '' : rest.slice(slash + 1);
  }
  if (!account) throw new LocationParseError(`"${uri}" names no account`);
  const slash = path.indexOf('/');
  const bucket = slash === -1 ? path : path.slice(0, slash);
  const key = slash === -1 ? '' : path.slice(slash + 1);
  return { kind, account, bucket, key };
}

export function formatLocation(loc: Location): string {
  const scheme = SCHEME_BY_KIND[loc.kind];
  const head = loc.kind === 'local' && loc.account === DEFAULT_LOCAL_ACCOUNT ? '' : loc.account;
  if (!loc.bucket) return `${scheme}://${head}${head ? '' : '/'}`;
  return `${scheme}://${head}/${loc.bucket}/${loc.key}`;
}

/** The parent prefix of a key or prefix: `a/b/c` and `a/b/c/` both give `a/b/`; a top-level key gives ''. */
export function parentPrefix(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const i = trimmed.lastIndexOf('/');
  return i === -1 ? '' : trimmed.slice(0, i + 1);
}

/** The last segment of a key, without the trailing slash of a prefix. */
export function baseName(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const i = trimmed.lastIndexOf('/');
  return i === -1 ? trimmed : trimmed.slice(i + 1);
}

/** The bucket under which the built-in local account reaches a Windows network share: `file:///UNC/host/share/…`. */
export const UNC_BUCKET = 'UNC';

/** True for a path only Windows writes: a drive (`C:\…`, `c:/…`) or a share (`\\host\share`, `\\?\…`). */
export function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:([\\/]|$)/.test(p) || p.startsWith('\\\\');
}

/**
 * An absolute path on this computer as a location of the built-in local account, with no `/` added at the end.
 * `posix`: the path verbatim, `/a/b` -> `file:///a/b`. `win32`: the drive or the share is the bucket, as one URI
 * segment must be: `C:\dl\x` and `c:/dl/x` -> `file:///C:/dl/x`; `\\host\share\x` -> `file:///UNC/host/share/x`
 * (Windows' own name for the share namespace, `\\?\UNC\host\share`); `\\?\` long-path prefixes are dropped.
 */
export function localPathToUri(absPath: string, style: 'posix' | 'win32'): string {
  if (style === 'posix') return `file://${absPath}`;
  let p = absPath.replace(/\\/g, '/');
  if (p.startsWith('//?/UNC/') || p.startsWith('//./UNC/')) p = `//${p.slice('//?/UNC/'.length)}`;
  else if (p.startsWith('//?/') || p.startsWith('//./')) p = p.slice(4);
  const drive = /^([A-Za-z]):(?:\/|$)(.*)$/s.exec(p);
  if (drive) return `file:///${(drive[1] ?? '').toUpperCase()}:/${drive[2] ?? ''}`;
  if (p.startsWith('//')) return `file:///${UNC_BUCKET}/${p.slice(2).replace(/\/{2,}/g, '/')}`;
  return `file://${p}`;
}
