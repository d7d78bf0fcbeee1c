import type { DeletedObject, ObjectVersion } from '../../../shared/contract/versions';

const time = (v: ObjectVersion): number => (v.modified === undefined ? 0 : Date.parse(v.modified));

/**
 * Between two versions written in the same millisecond: GCS generations (decimal numbers that grow with each write)
 * say which is newer; other ids (S3's opaque ones, Azure's) keep the order the provider listed them in.
 */
function generationOrder(a: ObjectVersion, b: ObjectVersion): number {
  if (!/^\d+$/.test(a.versionId) || !/^\d+$/.test(b.versionId)) return 0;
  const d = BigInt(b.versionId) - BigInt(a.versionId);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/**
 * Versions grouped by key (keys in code-unit order), each key's newest first with its current version leading,
 * and `noncurrentSince` filled from the next newer version where the provider did not say it.
 */
export function newestFirst(rows: readonly ObjectVersion[]): ObjectVersion[] {
  const sorted = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : Number(b.isCurrent) - Number(a.isCurrent) || time(b) - time(a) || generationOrder(a, b)));
  return sorted.map((v, i) => {
    const newer = sorted[i - 1];
    if (v.isCurrent || v.noncurrentSince !== undefined || newer === undefined || newer.key !== v.key || newer.modified === undefined) return v;
    return { ...v, noncurrentSince: newer.modified };
  });
}

/**
 * The keys of a page of versions (every version of a key on the page) whose current version is deleted: a current
 * delete marker, a soft-deleted blob, or only noncurrent versions left (GCS). Each with the newest version that still
 * holds bytes, which an undelete brings back.
 */
export function deletedKeys(rows: readonly ObjectVersion[]): DeletedObject[] {
  const byKey = new Map<string, ObjectVersion[]>();
  for (const r of rows) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }
  const out: DeletedObject[] = [];
  for (const [key, versions] of byKey) {
    const live = versions.some((v) => v.isCurrent && v.kind !== 'delete-marker' && v.kind !== 'deleted');
    if (live || key.endsWith('/')) continue;
    const withBytes = versions.filter((v) => v.kind !== 'delete-marker');
    const newest = withBytes[0];
    if (newest === undefined) continue;
    const marker = versions.find((v) => v.kind === 'delete-marker' && v.isCurrent);
    const deletedAt = marker?.modified ?? newest.noncurrentSince;
    out.push({ key, size: newest.size, versions: withBytes.length, ...(deletedAt === undefined ? {} : { deletedAt }) });
  }
  return out;
}
