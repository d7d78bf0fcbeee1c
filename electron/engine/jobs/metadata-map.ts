import type { StorageFeatures, UserMetadata } from '../../../shared/model';

export interface MetadataMapping {
  metadata: UserMetadata;
  renamed: Array<{ from: string; to: string }>;
  dropped: string[];
  /** Why names were dropped, in words, when any were. */
  reason?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `content-owner` -> `content_owner`, `2nd` -> `_2nd`: the C# identifier Azure accepts, or undefined if none. */
export function identifierFor(name: string): string | undefined {
  let out = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return IDENTIFIER.test(out) && /[A-Za-z0-9]/.test(out) ? out : undefined;
}

function metadataBytes(m: UserMetadata): number {
  return Object.entries(m).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/**
 * User metadata as the destination can hold it, and what changed on the way: names Azure cannot take are renamed
 * to identifiers (a rename that would collide with another name is dropped instead), and when the whole set is
 * over the destination's byte limit (S3: 2 KB) the largest entries are dropped until it fits. Nothing is changed
 * silently: every rename and drop is returned for the plan and the report.
 */
export function mapMetadata(source: UserMetadata, features: StorageFeatures, keepsMetadata = true): MetadataMapping {
  if (!keepsMetadata) {
    const names = Object.keys(source);
    return names.length ? { metadata: {}, renamed: [], dropped: names, reason: 'the destination keeps no user metadata' } : { metadata: {}, renamed: [], dropped: [] };
  }
  const out: UserMetadata = {};
  const renamed: Array<{ from: string; to: string }> = [];
  const dropped: string[] = [];
  const reasons: string[] = [];
  const taken = new Set(Object.keys(source).filter((k) => !features.metadataNamesIdentifiersOnly || IDENTIFIER.test(k)).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(source)) {
    if (!features.metadataNamesIdentifiersOnly || IDENTIFIER.test(k)) {
      out[k] = v;
      continue;
    }
    const to = identifierFor(k);
    if (to === undefined || taken.has(to.toLowerCase())) {
      dropped.push(k);
      reasons.push(`"${k}" has no identifier form free at the destination`);
      continue;
    }
    taken.add(to.toLowerCase());
    out[to] = v;
    renamed.push({ from: k, to });
  }
  const limit = features.maxUserMetadataBytes;
  if (limit !== undefined && metadataBytes(out) > limit) {
    const before = metadataBytes(out);
    const bySize = Object.entries(out).sort((a, b) => Buffer.byteLength(b[0]) + Buffer.byteLength(b[1]) - (Buffer.byteLength(a[0]) + Buffer.byteLength(a[1])));
    for (const [k] of bySize) {
      if (metadataBytes(out) <= limit) break;
      delete out[k];
      dropped.push(k);
    }
    reasons.push(`user metadata is ${before} bytes, over the destination's ${limit}-byte limit`);
  }
  return reasons.length ? { metadata: out, renamed, dropped, reason: reasons.join('; ') } : { metadata: out, renamed, dropped };
}

/** True when metadata going from `src` to `dst` may be renamed or dropped, so the plan must read it to report. */
export function metadataAtRisk(src: StorageFeatures, dst: StorageFeatures, dstKeepsMetadata = true): boolean {
  if (!dstKeepsMetadata) return true;
  if (dst.metadataNamesIdentifiersOnly && !src.metadataNamesIdentifiersOnly) return true;
  const s = src.maxUserMetadataBytes ?? Infinity;
  const d = dst.maxUserMetadataBytes ?? Infinity;
  return d < s;
}
