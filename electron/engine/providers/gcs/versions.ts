import { PassThrough, type Readable } from 'node:stream';
import type { BucketMetadata, File, FileMetadata, Storage } from '@google-cloud/storage';
import type { BucketVersioning, ObjectVersion } from '../../../../shared/contract/versions';
import { InvalidInputError, NotFoundError, SkyferryError } from '../../../../shared/errors';
import { newestFirst } from '../versions';
import type { ObjectVersioning, VersionPage } from '../provider';
import type { GcsErrorContext } from './gcs.errors';

type Call = <T>(c: GcsErrorContext, work: () => Promise<T>) => Promise<T>;
type Ctx = (bucket: string, key?: string, signal?: AbortSignal) => GcsErrorContext;
type ToError = (err: unknown, c: GcsErrorContext) => SkyferryError;

/** Where a page of generations continues: GCS's page token, or a name to start at (startOffset, inclusive). */
interface Cursor {
  t?: string;
  s?: string;
}

const DAY_SECONDS = 86_400;

/**
 * Of two versions written in the same millisecond (a listing's times tie), the later generation first: GCS
 * generations are decimal numbers that grow with each write.
 */
export function newerGeneration(a: ObjectVersion, b: ObjectVersion): number {
  if (!/^\d+$/.test(a.versionId) || !/^\d+$/.test(b.versionId)) return 0;
  const d = BigInt(b.versionId) - BigInt(a.versionId);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

function rowOf(name: string, m: FileMetadata): ObjectVersion {
  const row: ObjectVersion = { key: name, versionId: String(m.generation ?? ''), kind: 'version', isCurrent: m.timeDeleted === undefined, size: Number(m.size ?? 0) };
  const modified = m.timeCreated ?? m.updated;
  if (modified) row.modified = modified;
  if (m.timeDeleted) row.noncurrentSince = m.timeDeleted;
  if (m.storageClass) row.storageClass = m.storageClass;
  if (m.etag) row.etag = m.etag;
  return row;
}

/**
 * GCS object versioning: generations listed with `versions: true` (noncurrent ones carry timeDeleted), read,
 * rewritten onto the live name, or deleted by generation; the bucket's versioning, soft delete and retention policy.
 */
export function gcsVersioning(storage: Storage, call: Call, ctx: Ctx, toError: ToError): ObjectVersioning {
  const generationOf = (id: string): string => {
    // A delete or read without a generation acts on the live object: never what a version call means.
    if (!/^\d+$/.test(id)) throw new InvalidInputError(`"${id}" is not a GCS generation`);
    return id;
  };
  const at = (bucket: string, key: string, versionId: string): File => storage.bucket(bucket).file(key, { generation: generationOf(versionId) });

  const page = async (bucket: string, prefix: string, cursor: Cursor, signal?: AbortSignal) =>
    call(ctx(bucket, prefix || undefined, signal), () =>
      storage.bucket(bucket).getFiles({
        autoPaginate: false,
        versions: true,
        maxResults: 1000,
        ...(prefix ? { prefix } : {}),
        ...(cursor.t ? { pageToken: cursor.t } : {}),
        ...(cursor.s ? { startOffset: cursor.s } : {}),
      }),
    );
  const tokenOf = (next: unknown): string | undefined => {
    const t = (next as { pageToken?: unknown } | null | undefined)?.pageToken;
    return typeof t === 'string' && t ? t : undefined;
  };

  const list = async (bucket: string, key: string, signal?: AbortSignal): Promise<ObjectVersion[]> => {
    const rows: ObjectVersion[] = [];
    let cursor: Cursor = {};
    for (;;) {
      const [files, next] = await page(bucket, key, cursor, signal);
      for (const f of files) if (f.name === key) rows.push(rowOf(f.name, f.metadata));
      const token = tokenOf(next);
      if (!token || files.some((f) => f.name > key)) break;
      cursor = { t: token };
    }
    return newestFirst(rows, newerGeneration);
  };

  const restore = async (bucket: string, key: string, versionId: string, signal?: AbortSignal): Promise<void> => {
    const src = at(bucket, key, versionId);
    await call(ctx(bucket, key, signal), () => src.copy(storage.bucket(bucket).file(key)));
  };

  const settings = async (bucket: string, signal?: AbortSignal): Promise<BucketVersioning> => {
    const [m] = await call(ctx(bucket, undefined, signal), () => storage.bucket(bucket).getMetadata());
    const soft = m.softDeletePolicy?.retentionDurationSeconds;
    const result: BucketVersioning = {
      versioning: m.versioning?.enabled ? 'enabled' : 'off',
      canSetVersioning: true,
      canSetSoftDelete: true,
      softDeleteDays: soft === undefined ? null : Math.floor(Number(soft) / DAY_SECONDS) || null,
      notes: [],
    };
    const retention = m.retentionPolicy;
    if (retention?.retentionPeriod !== undefined) {
      const days = Math.floor(Number(retention.retentionPeriod) / DAY_SECONDS);
      result.objectLock = { enabled: true, mode: 'retention policy', days, locked: retention.isLocked === true };
      result.notes.push(`A retention policy keeps every object for ${days} days: none can be deleted or replaced sooner (the app never bypasses it).`);
    }
    return result;
  };

  return {
    list,

    async listAll(bucket, options, signal): Promise<VersionPage> {
      const start: Cursor = options.cursor ? (JSON.parse(options.cursor) as Cursor) : {};
      const [files, next] = await page(bucket, options.prefix ?? '', start, signal);
      let rows = newestFirst(files.map((f) => rowOf(f.name, f.metadata)), newerGeneration);
      const token = tokenOf(next);
      if (!token) return { versions: rows };
      // Every generation of a key on one page: the last name starts the next page (startOffset is inclusive).
      const last = rows[rows.length - 1]?.key;
      if (last !== undefined && rows.some((r) => r.key !== last)) {
        rows = rows.filter((r) => r.key !== last);
        return { versions: rows, cursor: JSON.stringify({ s: last } satisfies Cursor) };
      }
      return { versions: rows, cursor: JSON.stringify({ t: token } satisfies Cursor) };
    },

    async open(bucket, key, versionId, signal) {
      const f = at(bucket, key, versionId);
      const c = ctx(bucket, key, signal);
      // Asking first makes a missing generation a not_found here, not mid-stream.
      await call(c, () => f.getMetadata());
      const out = new PassThrough();
      const src = f.createReadStream({ decompress: false });
      src.on('error', (err) => out.destroy(err instanceof SkyferryError ? err : toError(err, c)));
      out.on('close', () => src.destroy());
      src.pipe(out);
      return out as Readable;
    },

    restore,

    async remove(bucket, key, versionId, signal) {
      const f = at(bucket, key, versionId);
      await call(ctx(bucket, key, signal), () => f.delete());
    },

    async undelete(bucket, key, signal) {
      const versions = await list(bucket, key, signal);
      if (versions.some((v) => v.isCurrent)) throw new NotFoundError(`"${key}" is not deleted`);
      const newest = versions[0];
      if (newest === undefined) throw new NotFoundError(`"${key}" has no earlier generation to bring back`);
      await restore(bucket, key, newest.versionId, signal);
    },

    getSettings: settings,

    // Noncurrent generations outlive a versioning turned off, and soft delete keeps deleted objects whatever the
    // versioning: only a listing can say there are none.
    keepsVersions: () => Promise.resolve(true),

    async setSettings(bucket, patch, signal) {
      const body: BucketMetadata = {};
      if (patch.versioning !== undefined) body.versioning = { enabled: patch.versioning === 'enabled' };
      if (patch.softDeleteDays !== undefined) body.softDeletePolicy = { retentionDurationSeconds: String((patch.softDeleteDays ?? 0) * DAY_SECONDS) };
      if (Object.keys(body).length > 0) await call(ctx(bucket, undefined, signal), () => storage.bucket(bucket).setMetadata(body));
      return settings(bucket, signal);
    },
  };
}
