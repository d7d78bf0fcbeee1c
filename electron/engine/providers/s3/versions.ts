import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PassThrough, Readable } from 'node:stream';
import type { BucketVersioning, ObjectVersion } from '../../../../shared/contract/versions';
import { InvalidInputError, NotFoundError, SkyferryError, UnsupportedError } from '../../../../shared/errors';
import { unquoteEtag } from '../common/values';
import { newestFirst } from '../versions';
import type { ObjectVersioning, VersionPage } from '../provider';
import type { S3ErrorContext } from './s3.errors';

type Call = <T>(c: Omit<S3ErrorContext, 'endpoint'>, work: () => Promise<T>) => Promise<T>;
type ToError = (err: unknown, c: Omit<S3ErrorContext, 'endpoint'>) => SkyferryError;

const decodeKey = (value: string | undefined): string => (value === undefined ? '' : decodeURIComponent(value.replace(/\+/g, ' ')));

/** Where a listing page of versions continues (S3's two markers). */
interface Cursor {
  k?: string;
  v?: string;
}

/** The versions and delete markers of one ListObjectVersions answer, as rows grouped by key, newest first. */
function rowsOf(out: ListObjectVersionsCommandOutput): ObjectVersion[] {
  const rows: ObjectVersion[] = [];
  for (const v of out.Versions ?? []) {
    const row: ObjectVersion = { key: decodeKey(v.Key), versionId: v.VersionId ?? 'null', kind: 'version', isCurrent: v.IsLatest === true, size: v.Size ?? 0 };
    if (v.LastModified) row.modified = v.LastModified.toISOString();
    if (v.StorageClass) row.storageClass = v.StorageClass;
    const etag = unquoteEtag(v.ETag);
    if (etag) row.etag = etag;
    rows.push(row);
  }
  for (const d of out.DeleteMarkers ?? []) {
    const row: ObjectVersion = { key: decodeKey(d.Key), versionId: d.VersionId ?? 'null', kind: 'delete-marker', isCurrent: d.IsLatest === true, size: 0 };
    if (d.LastModified) row.modified = d.LastModified.toISOString();
    rows.push(row);
  }
  return newestFirst(rows);
}

/** S3 versioning: ListObjectVersions, GetObject / CopyObject / DeleteObject with a VersionId, bucket versioning. */
export function s3Versioning(client: S3Client, call: Call, toError: ToError): ObjectVersioning {
  const listPage = async (bucket: string, prefix: string, cursor: Cursor, signal?: AbortSignal): Promise<ListObjectVersionsCommandOutput> =>
    call({ op: 'list versions', bucket, signal }, () =>
      client.send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix || undefined, KeyMarker: cursor.k, VersionIdMarker: cursor.v, EncodingType: 'url' }),
        { abortSignal: signal },
      ),
    );

  const list = async (bucket: string, key: string, signal?: AbortSignal): Promise<ObjectVersion[]> => {
    const rows: ObjectVersion[] = [];
    let cursor: Cursor = {};
    for (;;) {
      const out = await listPage(bucket, key, cursor, signal);
      const page = rowsOf(out);
      rows.push(...page.filter((r) => r.key === key));
      // Keys come in order: once a longer key that merely starts with this one is listed, this key is complete.
      if (!out.IsTruncated || page.some((r) => r.key > key)) break;
      cursor = { k: decodeKey(out.NextKeyMarker), v: out.NextVersionIdMarker };
    }
    return newestFirst(rows);
  };

  const versionOf = (id: string): string => {
    // Without a VersionId, S3's delete or read acts on the current version: never what a version call means.
    if (!id) throw new InvalidInputError('A version id is needed');
    return id;
  };

  const remove = async (bucket: string, key: string, versionId: string, signal?: AbortSignal): Promise<void> => {
    const VersionId = versionOf(versionId);
    await call({ op: 'delete version', bucket, key, signal }, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId }), { abortSignal: signal }));
  };

  const settings = async (bucket: string, signal?: AbortSignal): Promise<BucketVersioning> => {
    const v = await call({ op: 'read versioning', bucket, signal }, () => client.send(new GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal: signal }));
    const state = v.Status === 'Enabled' ? 'enabled' : v.Status === 'Suspended' ? 'suspended' : 'off';
    const result: BucketVersioning = { versioning: state, canSetVersioning: true, canSetSoftDelete: false, notes: [] };
    try {
      const lock = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }), { abortSignal: signal });
      const cfg = lock.ObjectLockConfiguration;
      if (cfg?.ObjectLockEnabled === 'Enabled') {
        const d = cfg.Rule?.DefaultRetention;
        result.objectLock = { enabled: true, ...(d?.Mode ? { mode: d.Mode } : {}), ...(d?.Days ? { days: d.Days } : {}), ...(d?.Years ? { years: d.Years } : {}) };
        result.notes.push('Object Lock is on: a locked version cannot be deleted or overwritten until its retention ends (the app never bypasses it), and versioning cannot be suspended.');
      }
    } catch (e) {
      // A bucket without a lock configuration answers an error; any other failure to read it is not hidden.
      const name = (e as { name?: unknown } | null)?.name;
      if (name !== 'ObjectLockConfigurationNotFoundError') {
        const mapped = toError(e, { op: 'read object lock', bucket, signal });
        if (mapped.code !== 'access_denied' && mapped.code !== 'not_found') throw mapped;
        result.notes.push('The object lock configuration could not be read with this account.');
      }
    }
    if (state === 'suspended') result.notes.push('Versioning is suspended: existing versions are kept; new writes replace the "null" version.');
    return result;
  };

  return {
    list,

    async listAll(bucket, options, signal): Promise<VersionPage> {
      const start: Cursor = options.cursor ? (JSON.parse(options.cursor) as Cursor) : {};
      const out = await listPage(bucket, options.prefix ?? '', start, signal);
      let rows = rowsOf(out);
      if (!out.IsTruncated) return { versions: rows };
      // Keep every version of a key on one page: the last key may continue on the next page, so it is left for it
      // (a key marker alone starts after that key). A page of one key only goes on from S3's own markers.
      const last = rows[rows.length - 1]?.key;
      const before = [...new Set(rows.map((r) => r.key))].filter((k) => k !== last).pop();
      if (before !== undefined) {
        rows = rows.filter((r) => r.key !== last);
        return { versions: rows, cursor: JSON.stringify({ k: before } satisfies Cursor) };
      }
      return { versions: rows, cursor: JSON.stringify({ k: decodeKey(out.NextKeyMarker), v: out.NextVersionIdMarker } satisfies Cursor) };
    },

    async open(bucket, key, versionId, signal) {
      const VersionId = versionOf(versionId);
      const ctx = { op: 'read version', bucket, key, signal };
      const out = await call(ctx, () => client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId }), { abortSignal: signal }));
      if (!(out.Body instanceof Readable)) throw new UnsupportedError('The S3 client returned no Node stream');
      const body = out.Body;
      const stream = new PassThrough();
      body.on('error', (err) => stream.destroy(err instanceof SkyferryError ? err : toError(err, ctx)));
      stream.on('close', () => {
        if (!body.readableEnded) body.destroy();
      });
      body.pipe(stream);
      return stream;
    },

    async restore(bucket, key, versionId, signal) {
      const id = versionOf(versionId);
      // CopyObject copies the version's metadata and class with it (MetadataDirective COPY); up to 5 GiB.
      const CopySource = `${bucket}/${encodeURIComponent(key)}?versionId=${encodeURIComponent(id)}`;
      await call({ op: 'restore version', bucket, key, signal }, () => client.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource }), { abortSignal: signal }));
    },

    remove,

    async undelete(bucket, key, signal) {
      const versions = await list(bucket, key, signal);
      // The delete markers newer than the newest version holding bytes hide it; removing them makes it current.
      const markers: ObjectVersion[] = [];
      for (const v of versions) {
        if (v.kind !== 'delete-marker') break;
        markers.push(v);
      }
      if (markers.length === 0 || markers.length === versions.length) {
        throw new NotFoundError(markers.length === 0 ? `"${key}" is not deleted` : `"${key}" has no earlier version to bring back`);
      }
      for (const m of markers) await remove(bucket, key, m.versionId, signal);
    },

    getSettings: settings,

    async keepsVersions(bucket, signal) {
      // A bucket whose versioning was never enabled answers no Status and holds only current objects; a suspended
      // one keeps the versions made while it was enabled.
      const v = await call({ op: 'read versioning', bucket, signal }, () => client.send(new GetBucketVersioningCommand({ Bucket: bucket }), { abortSignal: signal }));
      return v.Status !== undefined;
    },

    async setSettings(bucket, patch, signal) {
      if (patch.softDeleteDays !== undefined) throw new UnsupportedError('S3 has no soft delete: use versioning (and a lifecycle rule for noncurrent versions)');
      if (patch.versioning !== undefined) {
        const Status = patch.versioning === 'enabled' ? 'Enabled' : 'Suspended';
        await call({ op: 'set versioning', bucket, signal }, () =>
          client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status } }), { abortSignal: signal }),
        );
      }
      return settings(bucket, signal);
    },
  };
}
