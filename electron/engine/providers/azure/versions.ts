import { PassThrough, type Readable } from 'node:stream';
import type { BlobClient, BlobItem, BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { BucketVersioning, ObjectVersion } from '../../../../shared/contract/versions';
import { InvalidInputError, NotFoundError, SkyferryError, UnsupportedError } from '../../../../shared/errors';
import { newestFirst } from '../versions';
import { unquoteEtag } from '../common/values';
import type { ObjectVersioning, VersionPage } from '../provider';

type Call = <T>(signal: AbortSignal | undefined, bucket: string | undefined, key: string | undefined, work: () => Promise<T>) => Promise<T>;
type ToError = (e: unknown, bucket?: string, key?: string) => SkyferryError;

/**
 * A version id as the app hands it out: `v:` a blob version id, `s:` a snapshot time, `d:` the soft-deleted base
 * blob, `c:` the base blob of an account without versioning. The prefix says which call reaches it.
 */
type Ref = { t: 'v' | 's'; id: string } | { t: 'd' | 'c' };

function parseRef(versionId: string): Ref {
  const t = versionId.slice(0, 2);
  const id = versionId.slice(2);
  if ((t === 'v:' || t === 's:') && id) return { t: t === 'v:' ? 'v' : 's', id };
  if (versionId === 'd:' || versionId === 'c:') return { t: versionId === 'd:' ? 'd' : 'c' };
  throw new InvalidInputError(`"${versionId}" is not a version of an Azure blob`);
}

function rowOf(b: BlobItem): ObjectVersion {
  const p = b.properties;
  const base = { key: b.name, size: p.contentLength ?? 0 };
  let row: ObjectVersion;
  if (b.deleted) row = { ...base, versionId: 'd:', kind: 'deleted', isCurrent: false };
  else if (b.snapshot) row = { ...base, versionId: `s:${b.snapshot}`, kind: 'snapshot', isCurrent: false, noncurrentSince: new Date(b.snapshot).toISOString() };
  else if (b.versionId) row = { ...base, versionId: `v:${b.versionId}`, kind: 'version', isCurrent: b.isCurrentVersion === true };
  else row = { ...base, versionId: 'c:', kind: 'version', isCurrent: true };
  if (p.lastModified) row.modified = p.lastModified.toISOString();
  if (b.deleted && p.deletedOn) row.noncurrentSince = p.deletedOn.toISOString();
  if (p.accessTier) row.storageClass = p.accessTier;
  const etag = unquoteEtag(p.etag);
  if (etag) row.etag = etag;
  return row;
}

const LIST = { includeSnapshots: true, includeVersions: true, includeDeleted: true } as const;
const PAGE = 5000;

/**
 * Azure blob versions (an account setting), snapshots and soft-deleted blobs: read and copied from by their URL,
 * deleted one by one, a soft-deleted blob undeleted; the account's soft-delete retention.
 */
export function azureVersioning(service: BlobServiceClient, container: (name: string) => ContainerClient, call: Call, toError: ToError): ObjectVersioning {
  const clientOf = (bucket: string, key: string, ref: Ref): BlobClient => {
    const base = container(bucket).getBlobClient(key);
    if (ref.t === 'v') return base.withVersion(ref.id);
    if (ref.t === 's') return base.withSnapshot(ref.id);
    return base;
  };

  const list = async (bucket: string, key: string, signal?: AbortSignal): Promise<ObjectVersion[]> =>
    call(signal, bucket, key, async () => {
      const rows: ObjectVersion[] = [];
      for await (const page of container(bucket).listBlobsFlat({ prefix: key, ...LIST, abortSignal: signal }).byPage({ maxPageSize: PAGE })) {
        const items = page.segment.blobItems;
        for (const b of items) if (b.name === key) rows.push(rowOf(b));
        if (items.some((b) => b.name > key)) break;
      }
      return newestFirst(rows);
    });

  const restore = async (bucket: string, key: string, versionId: string, signal?: AbortSignal): Promise<void> => {
    const ref = parseRef(versionId);
    if (ref.t !== 'v' && ref.t !== 's') throw new InvalidInputError(ref.t === 'd' ? 'Undelete the blob first' : 'That is already the current blob');
    const source = clientOf(bucket, key, ref).url;
    // Copy Blob inside one account is authorized by this account's own credential: no byte passes through here.
    await call(signal, bucket, key, async () => {
      const poller = await container(bucket).getBlobClient(key).beginCopyFromURL(source, { abortSignal: signal });
      await poller.pollUntilDone();
    });
  };

  const settings = async (bucket: string, signal?: AbortSignal): Promise<BucketVersioning> => {
    const [props, cprops] = await Promise.all([
      call(signal, undefined, undefined, () => service.getProperties({ abortSignal: signal })),
      call(signal, bucket, undefined, () => container(bucket).getProperties({ abortSignal: signal })),
    ]);
    const soft = props.deleteRetentionPolicy;
    const result: BucketVersioning = {
      versioning: 'unknown',
      canSetVersioning: false,
      softDeleteDays: soft?.enabled ? (soft.days ?? null) : null,
      canSetSoftDelete: true,
      notes: ['Blob versioning is a setting of the storage account (Data protection in the Azure portal); soft delete applies to every container of the account.'],
    };
    if (cprops.hasImmutabilityPolicy || cprops.hasLegalHold || cprops.isImmutableStorageWithVersioningEnabled) {
      result.objectLock = { enabled: true, mode: cprops.hasLegalHold ? 'legal hold' : 'immutability policy' };
      result.notes.push('This container has an immutability policy or legal hold: its blobs cannot be changed or deleted while it holds (the app never bypasses it).');
    }
    return result;
  };

  return {
    list,

    async listAll(bucket, options, signal): Promise<VersionPage> {
      return call(signal, bucket, options.prefix, async () => {
        const pages = container(bucket)
          .listBlobsFlat({ ...LIST, ...(options.prefix ? { prefix: options.prefix } : {}), abortSignal: signal })
          .byPage({ maxPageSize: PAGE, ...(options.cursor ? { continuationToken: options.cursor } : {}) });
        const next = await pages.next();
        if (next.done) return { versions: [] };
        // Azure lists every version and snapshot of a name together before the next name, within a page's limit.
        const versions = newestFirst(next.value.segment.blobItems.map(rowOf));
        const token = next.value.continuationToken;
        return token ? { versions, cursor: token } : { versions };
      });
    },

    async open(bucket, key, versionId, signal) {
      const ref = parseRef(versionId);
      if (ref.t === 'd') throw new InvalidInputError('A soft-deleted blob cannot be read: undelete it first');
      const res = await call(signal, bucket, key, () => clientOf(bucket, key, ref).download(0, undefined, { abortSignal: signal }));
      const body = res.readableStreamBody;
      if (!body) throw new UnsupportedError('The Azure client returned no Node stream');
      const out = new PassThrough();
      body.on('error', (err) => out.destroy(err instanceof SkyferryError ? err : toError(err, bucket, key)));
      body.pipe(out);
      return out as Readable;
    },

    restore,

    async remove(bucket, key, versionId, signal) {
      const ref = parseRef(versionId);
      if (ref.t === 'd') throw new UnsupportedError('A soft-deleted blob is removed by Azure when its retention ends');
      // The base blob is deleted without its snapshots: Azure then refuses while any snapshot exists.
      await call(signal, bucket, key, () => clientOf(bucket, key, ref).delete({ abortSignal: signal }));
    },

    async undelete(bucket, key, signal) {
      const versions = await list(bucket, key, signal);
      if (versions.some((v) => v.isCurrent)) throw new NotFoundError(`"${key}" is not deleted`);
      if (versions.some((v) => v.kind === 'deleted')) {
        await call(signal, bucket, key, () => container(bucket).getBlobClient(key).undelete({ abortSignal: signal }));
        return;
      }
      // A versioned account keeps the deleted blob as its last version: copying it back makes it current.
      const newest = versions.find((v) => v.kind === 'version');
      if (!newest) throw new NotFoundError(`"${key}" has nothing to bring back`);
      await restore(bucket, key, newest.versionId, signal);
    },

    getSettings: settings,

    // Snapshots exist whatever the account's versioning and soft-delete settings: only a listing can say there are none.
    keepsVersions: () => Promise.resolve(true),

    async setSettings(bucket, patch, signal) {
      if (patch.versioning !== undefined) {
        throw new UnsupportedError('Azure blob versioning is a storage account setting: turn it on or off in the Azure portal (Data protection)');
      }
      if (patch.softDeleteDays !== undefined) {
        const days = patch.softDeleteDays;
        await call(signal, undefined, undefined, () =>
          service.setProperties({ deleteRetentionPolicy: days === null ? { enabled: false } : { enabled: true, days } }, { abortSignal: signal }),
        );
      }
      return settings(bucket, signal);
    },
  };
}
