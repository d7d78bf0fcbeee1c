import type { CompareMode } from '../../../shared/contract/migrations.channels';
import { HASH_KINDS, type Checksums, type HashKind, type ObjectEntry, type ObjectMetadata } from '../../../shared/model';
import type { Provider } from '../providers/provider';
import { strongestCommon } from '../jobs/verify';

/** One side of a comparison: the listing entry, and a stat taken at most once when the listing lacks something. */
export class Side {
  private meta: Promise<ObjectMetadata> | undefined;

  constructor(
    readonly provider: Provider,
    readonly bucket: string,
    readonly entry: ObjectEntry,
    private readonly counter: { heads: number },
  ) {}

  stat(signal: AbortSignal): Promise<ObjectMetadata> {
    if (!this.meta) {
      this.counter.heads++;
      this.meta = this.provider.stat(this.bucket, this.entry.key, signal);
    }
    return this.meta;
  }

  /** Checksums the listing already gives: an S3 ETag of 32 hex digits is the MD5 of a single-part upload. */
  listed(): Checksums {
    const etag = this.entry.etag?.toLowerCase();
    if (this.provider.kind === 's3' && etag !== undefined && /^[0-9a-f]{32}$/.test(etag)) return { md5: etag };
    return {};
  }
}

export interface Verdict {
  changed: boolean;
  /** Why changed, or how the comparison was made when it fell back. */
  reason?: string;
  /** What was compared: a hash kind, 'size' or 'mtime'. */
  kind: string;
}

const MTIME_TOLERANCE_MS = 2000;

function kindsOf(c: Checksums): string {
  const k = HASH_KINDS.filter((x) => c[x] !== undefined);
  return k.length ? k.join('/') : 'none';
}

/** Compares an object present on both sides, by the user's chosen mode. Reads only (stat, or a local hash). */
export async function compareObjects(src: Side, dst: Side, mode: CompareMode, signal: AbortSignal): Promise<Verdict> {
  const a = src.entry;
  const b = dst.entry;
  if (a.size !== b.size) return { changed: true, reason: `size differs (${a.size} at the source, ${b.size} at the destination)`, kind: 'size' };
  if (mode === 'size') return { changed: false, kind: 'size' };
  if (mode === 'size+mtime') {
    const s = a.modified ? Date.parse(a.modified) : NaN;
    const d = b.modified ? Date.parse(b.modified) : NaN;
    if (!Number.isFinite(s) || !Number.isFinite(d)) return { changed: false, kind: 'size', reason: 'a modified time is missing: compared by size' };
    // A copy is written after its source was, so only a source newer than its copy is a change.
    if (s > d + MTIME_TOLERANCE_MS) return { changed: true, reason: `newer at the source (${a.modified ?? '?'} vs ${b.modified ?? '?'})`, kind: 'mtime' };
    return { changed: false, kind: 'mtime' };
  }
  let sa = src.listed();
  let sb = dst.listed();
  let aStat = false;
  let bStat = false;
  const statA = async (): Promise<void> => {
    sa = { ...(await src.stat(signal)).checksums };
    aStat = true;
  };
  const statB = async (): Promise<void> => {
    sb = { ...(await dst.stat(signal)).checksums };
    bStat = true;
  };
  // Ask a side (one HEAD) only when what it listed cannot be compared with the other.
  const dstCan = dst.provider.features.hashes;
  if (!HASH_KINDS.some((k) => sa[k] !== undefined && (sb[k] !== undefined || dstCan.includes(k)))) await statA();
  if (!HASH_KINDS.some((k) => sb[k] !== undefined && sa[k] !== undefined)) await statB();
  let kind: HashKind | undefined = strongestCommon(sa, sb);
  if (kind !== undefined && sa[kind] !== sb[kind] && (!aStat || !bStat)) {
    // A listed S3 ETag is not an MD5 for KMS or customer-key objects; only a HEAD says which: confirm first.
    if (!aStat) await statA();
    if (!bStat) await statB();
    kind = strongestCommon(sa, sb);
  }
  if (kind === undefined) kind = await localHash(src, dst, sa, sb, signal);
  if (kind === undefined) {
    return { changed: false, kind: 'size', reason: `no checksum both sides give (source: ${kindsOf(sa)}, destination: ${kindsOf(sb)}): compared by size` };
  }
  const x = sa[kind]?.toLowerCase();
  const y = sb[kind]?.toLowerCase();
  return x === y ? { changed: false, kind } : { changed: true, reason: `${kind} differs (${x ?? '?'} vs ${y ?? '?'})`, kind };
}

/** A local folder stores no hash: read the file to get the MD5 the other side has. */
async function localHash(src: Side, dst: Side, sa: Checksums, sb: Checksums, signal: AbortSignal): Promise<HashKind | undefined> {
  if (sa.md5 === undefined && src.provider.hash && (sb.md5 !== undefined || dst.provider.hash)) sa.md5 = await src.provider.hash(src.bucket, src.entry.key, 'md5', signal);
  if (sb.md5 === undefined && dst.provider.hash && sa.md5 !== undefined) sb.md5 = await dst.provider.hash(dst.bucket, dst.entry.key, 'md5', signal);
  return sa.md5 !== undefined && sb.md5 !== undefined ? 'md5' : undefined;
}
