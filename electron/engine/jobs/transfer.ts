import type { Transform } from 'node:stream';
import type { TransferPath, OverwriteMode, VerifiedBy } from '../../../shared/contract/jobs.channels';
import type { Checksums, ObjectMetadata, UserMetadata } from '../../../shared/model';
import type { ProviderKind } from '../../../shared/location';
import type { Provider, PutResult } from '../providers/provider';
import { canPull } from './cloud-pull';
import { mapMetadata } from './metadata-map';
import { strongestCommon } from './verify';

/**
 * The shapes a file copy is made of, and its decisions that need no request of their own: which way the bytes go,
 * what metadata the destination can hold. FileCopy (file-copy.ts) carries them out.
 */

/** One side of a file copy, resolved once per file. */
export interface Endpoint {
  provider: Provider;
  bucket: string;
  key: string;
  accountKey: string;
  /** A destination's folder the job names (a prefix of `key`): every write stays inside it (PutOptions.within). */
  within?: string;
  /** Write only if nothing holds the key by then (PutOptions.ifAbsent): a "keep both" copy's free name. */
  ifAbsent?: boolean;
}

export interface TransferOptions {
  overwrite: OverwriteMode;
  /** The destination is the new name itself (a rename, "copy as"): one that exists is refused under 'never'. */
  destinationIsExact?: boolean;
  verify: boolean;
  allowCloudPull: boolean;
  preserveMetadata?: boolean;
  storageClass?: string | undefined;
  allowServerSide?: boolean;
  /** A read that sends nothing for this long while the relay waits for bytes fails the attempt (DEFAULT_STALL_MS). */
  stallMs?: number;
  /** Holds the relay's bytes to the bandwidth limits of this job (RunContext.throttle). */
  throttle?: (from: ProviderKind, to: ProviderKind) => Transform;
  /** Told, chunk by chunk, that the relay is passing bytes on (RunContext.relaying). */
  relaying?: () => void;
}

export interface TransferOutcome {
  status: 'done' | 'skipped';
  path: TransferPath;
  /** What verification compared ('none' when verification was off). */
  checksum?: VerifiedBy;
  /** What the user should know of this file, one sentence each (empty when nothing). */
  notices: string[];
  /** The source's version the copy is of (a copy that wrote): a move removes that version only. */
  copied?: Pick<ObjectMetadata, 'etag' | 'version'>;
}

/** What one way of copying the bytes did (FileCopy's serverSide, cloudPull, relay.ts's relay). */
export interface Copied {
  /** The source's metadata the copy is of: asked before it, or the relay's read's own answer. */
  source: ObjectMetadata;
  put: PutResult;
  /** Hashes of the bytes the relay read; absent when no byte crossed this computer. */
  relay?: Checksums;
  /** Metadata renamed or left behind for the destination (sentences for the file's report). */
  notices: string[];
  /** The relay continued an unfinished upload: the bytes already stored. */
  resumedFrom?: number;
  /** What checked the bytes read when the destination keeps no hash in common with the source ('crc32-source', …). */
  readCheck?: VerifiedBy;
  /**
   * A cloud-side pull whose destination checked the bytes it fetched against the source's own MD5 and stored them
   * only if they matched (Azure's x-ms-source-content-md5): nothing is left to read back.
   */
  pullCheckedMd5?: boolean;
}

/**
 * This way of copying cannot take this file (rclone's fs.ErrorCantCopy): the caller goes on with the next way.
 * `notice` says why, for the file's report, when the user should know.
 */
export class CantCopyError extends Error {
  override readonly name = 'CantCopyError';
  constructor(readonly notice?: string) {
    super(notice ?? 'cannot copy this way');
  }
}

/**
 * The cheapest way that works: a copy inside one account (server-side), the destination pulling from a signed
 * link (cloud-pull, when allowed), else the relay; 'local' between two local folders, whichever way it goes.
 */
export function choosePath(src: Endpoint, dst: Endpoint, allowServerSide = true, allowCloudPull = false): { path: TransferPath; serverSide: boolean } {
  const local = src.provider.kind === 'local' && dst.provider.kind === 'local';
  const serverSide = allowServerSide && src.accountKey === dst.accountKey && typeof src.provider.copy === 'function';
  // Next cheapest: the destination fetches from a signed read URL of the source (cloud-pull.ts), when allowed.
  const pull = !local && !serverSide && allowCloudPull && canPull(src, dst);
  return { path: local ? 'local' : serverSide ? 'server-side' : pull ? 'cloud-pull' : 'relay', serverSide };
}

/** The mode for one file: the user's answer for its destination, else the job's. */
export function overwriteFor(options: { overwrite: OverwriteMode; decisions?: Readonly<Record<string, OverwriteMode>> | undefined }, destination: string): OverwriteMode {
  return options.decisions?.[destination] ?? options.overwrite;
}

/**
 * The n-th "keep both" name of a key, in its folder: `a.txt` -> `a (1).txt`, `a` -> `a (1)`, `.env` -> `.env (1)`,
 * `a.tar.gz` -> `a.tar (1).gz` (the last extension kept, as a browser's download does), a folder marker `photos/`
 * -> `photos (1)/`.
 */
export function keepBothName(key: string, n: number): string {
  const marker = key.endsWith('/');
  const trimmed = marker ? key.slice(0, -1) : key;
  const slash = trimmed.lastIndexOf('/');
  const folder = trimmed.slice(0, slash + 1);
  const name = trimmed.slice(slash + 1);
  const dot = marker ? -1 : name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${folder}${stem} (${n})${ext}${marker ? '/' : ''}`;
}

/** Why the overwrite rule leaves the destination as it is, or undefined to copy ('keepBoth' copies, under another name). */
export async function shouldSkip(mode: OverwriteMode, src: Endpoint, srcMeta: ObjectMetadata, dst: Endpoint, dstMeta: ObjectMetadata | undefined, signal: AbortSignal): Promise<string | undefined> {
  if (!dstMeta || mode === 'always' || mode === 'keepBoth') return undefined;
  if (mode === 'never') return 'exists at the destination';
  const s = srcMeta.modified ? Date.parse(srcMeta.modified) : NaN;
  const d = dstMeta.modified ? Date.parse(dstMeta.modified) : NaN;
  const destinationNewer = Number.isFinite(s) && Number.isFinite(d) && s <= d;
  if (mode === 'ifNewer') return destinationNewer ? 'destination is as new or newer' : undefined;
  if (srcMeta.size !== dstMeta.size) return undefined;
  const a = { ...srcMeta.checksums };
  const b = { ...dstMeta.checksums };
  // A local side stores no hash but can compute one: worth a local read to avoid a needless upload or download.
  if (strongestCommon(a, b) === undefined) {
    if (b.md5 !== undefined && src.provider.hash) a.md5 = await src.provider.hash(src.bucket, src.key, 'md5', signal);
    else if (a.md5 !== undefined && dst.provider.hash) b.md5 = await dst.provider.hash(dst.bucket, dst.key, 'md5', signal);
    else if (src.provider.hash && dst.provider.hash) {
      a.md5 = await src.provider.hash(src.bucket, src.key, 'md5', signal);
      b.md5 = await dst.provider.hash(dst.bucket, dst.key, 'md5', signal);
    }
  }
  const kind = strongestCommon(a, b);
  if (kind !== undefined) return a[kind]?.toLowerCase() === b[kind]?.toLowerCase() ? `same size and ${kind}` : undefined;
  // No hash to compare: same size and a destination written after the source last changed (rclone's size+time).
  return destinationNewer ? 'same size, destination newer' : undefined;
}

/**
 * Metadata the destination can hold, mapped as the migration planner reports it (metadata-map.ts, which the planner imports from here:
 * Azure names become identifiers, entries over a size limit are dropped largest first); every change is reported
 * per object, never silent.
 */
export function portableMetadata(meta: UserMetadata, dst: Provider, preserve = true): { metadata: UserMetadata; notices: string[] } {
  if (!preserve) return { metadata: {}, notices: [] };
  const m = mapMetadata(meta, dst.features, dst.kind !== 'local');
  const notices: string[] = [];
  if (m.renamed.length) notices.push(`Metadata renamed for the destination: ${m.renamed.map((r) => `${r.from} -> ${r.to}`).join(', ')}`);
  if (m.dropped.length) notices.push(`Metadata not copied (${m.reason ?? 'not accepted by the destination'}): ${m.dropped.join(', ')}`);
  return { metadata: m.metadata, notices };
}
