import type { DeletedObject, ObjectVersion } from '../../../shared/contract/versions';

const time = (v: ObjectVersion): number => (v.modified === undefined ? 0 : Date.parse(v.modified));

/**
 * Versions grouped by key (keys in code-unit order), each key's newest first with its current version leading,
 * and `noncurrentSince` filled from the next newer version where the provider did not say it. Two versions of the
 * same time keep the order the provider listed them in, unless `sameTime` (the provider's own order of its ids) says.
 */
export function newestFirst(rows: readonly ObjectVersion[], sameTime?: (a: ObjectVersion, b: ObjectVersion) => number): ObjectVersion[] {
  const sorted = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : Number(b.isCurrent) - Number(a.isCurrent) || time(b) - time(a) || (sameTime?.(a, b) ?? 0)));
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
