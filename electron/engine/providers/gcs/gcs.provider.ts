import { PassThrough, type Readable } from 'node:stream';
import type { File, FileMetadata } from '@google-cloud/storage';
import type { GcsSecrets, GcsSettings } from '../../../../shared/accounts';
import { CancelledError, ConflictError, InvalidInputError } from '../../../../shared/errors';
import type { ListPage, MetadataPatch, ObjectEntry, ObjectMetadata } from '../../../../shared/model';
import { DEFAULT_MULTIPART, type CopyOptions, type Features, type ListOptions, type MultipartSettings, type ObjectRef, type OpenOptions, type PendingUpload, type Provider, type PutOptions, type PutResult, type RemoveManyResult, type SetMetadataOptions } from '../provider';
import { rangedBody, worthRanges } from '../ranged-read';
import { abortable, guarded } from '../common/call';
import { mapLimit } from '../common/pool';
import { createGcsClient } from './gcs.client';
import { adcError, adcSigningError, type AdcOptions } from './gcs.credentials';
import { toGcsError, type GcsErrorContext } from './gcs.errors';
import { mergedResource, patchBody, prefixEntry, putResultOf, resourceFromPut, toEntry, toObjectMetadata } from './gcs.metadata';
import { ChunkReader, compositeUpload, uploadBuffer } from './gcs.upload';
import { removeTemp, TEMP_FOR_KEY, TEMP_PREFIX } from './gcs.temp';
import { discardGcsResume, prepareGcsResume } from './gcs.resume';
import { gcsVersioning } from './versions';

const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'];
/** Deletes in flight at once for removeMany (the Node SDK has no batch API). */
const DELETE_CONCURRENCY = 16;

const FEATURES: Features = {
  hashes: ['md5', 'crc32c'],
  storageClasses: STORAGE_CLASSES,
  setMetadata: true,
  maxKeyBytes: 1024,
  maxUserMetadataBytes: 8192,
  metadataNamesIdentifiersOnly: false,
  caseInsensitive: false,
  versions: true,
  storesMetadata: true,
  conditionalRead: true,
  parallelRead: true,
  conditionalClassChange: true,
  resumeCrc: 'crc32c',
  putChecksum: 'crc32c',
};

/** Tuning for tests and benchmarks; the app uses the defaults. */
export interface GcsProviderOptions {
  multipart?: MultipartSettings;
  /** Application Default Credentials tuning (tests: a stand-in token endpoint). */
  adc?: AdcOptions;
}

/** A Google Cloud Storage account as a provider: parallel composite puts, rewrites for copies and class changes. */
export function createGcsProvider(settings: GcsSettings, secrets: GcsSecrets, options: GcsProviderOptions = {}): Provider {
  const client = createGcsClient(settings, secrets, options.adc);
  const { storage } = client;
  const multipart = options.multipart ?? DEFAULT_MULTIPART;

  const where = (bucket: string, key?: string): string => `gs://${settings.name}/${bucket}${key === undefined ? '' : `/${key}`}`;
  const ctx = (bucket: string, key?: string, signal?: AbortSignal, extra?: Partial<GcsErrorContext>): GcsErrorContext => ({
    what: where(bucket, key),
    endpoint: client.endpoint,
    ...(signal ? { signal } : {}),
    ...extra,
  });
  /** One SDK call; its promises take no signal, so an abort rejects the call at once. */
  const call = <T>(c: GcsErrorContext, work: () => Promise<T>): Promise<T> => guarded(c.signal, (e) => adcError(e, settings) ?? toGcsError(e, c), () => abortable(work(), c.signal));
  const file = (bucket: string, key: string): File => storage.bucket(bucket).file(key);
  const metadataOf = async (bucket: string, key: string, signal?: AbortSignal): Promise<FileMetadata> =>
    call(ctx(bucket, key, signal), async () => (await file(bucket, key).getMetadata())[0]);

  /**
   * A V4 URL, signed as a service account: offline with its private key, or (an ADC account without one) by IAM
   * Credentials' signBlob as the account its credentials act as, after checking that they act as one.
   */
  const presign = async (bucket: string, key: string, expiresSeconds: number): Promise<string> => {
    const seconds = Math.max(1, Math.min(Math.floor(expiresSeconds), 7 * 24 * 3600));
    const signer = client.signingAccount ? await call(ctx(bucket, key), client.signingAccount) : undefined;
    const sign = (): Promise<[string]> =>
      file(bucket, key).getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + seconds * 1000, ...(client.signingEndpoint ? { signingEndpoint: client.signingEndpoint } : {}) });
    if (signer === undefined) return (await call(ctx(bucket, key), sign))[0];
    const [url] = await guarded(undefined, (e) => adcSigningError(e, settings, signer) ?? adcError(e, settings) ?? toGcsError(e, ctx(bucket, key)), sign);
    return url;
  };

  return {
    kind: 'gcs',
    features: FEATURES,

    async listBuckets(signal) {
      if (settings.bucket) return [{ name: settings.bucket }];
      const [buckets] = await call({ what: `gs://${settings.name}`, endpoint: client.endpoint, ...(signal ? { signal } : {}) }, () => storage.getBuckets());
      return buckets.map((b) => ({
        name: b.name,
        ...(b.metadata.timeCreated ? { created: b.metadata.timeCreated } : {}),
        ...(b.metadata.location ? { region: b.metadata.location.toLowerCase() } : {}),
      }));
    },

    async createBucket(bucket, signal) {
      await call(ctx(bucket, undefined, signal), () => storage.createBucket(bucket));
    },

    async removeBucket(bucket, signal) {
      await call(ctx(bucket, undefined, signal, { bucketDelete: true }), () => storage.bucket(bucket).delete());
    },

    async list(bucket: string, o: ListOptions, signal?: AbortSignal): Promise<ListPage> {
      const prefix = o.prefix ?? '';
      const [files, next, raw] = await call(ctx(bucket, prefix || undefined, signal), () =>
        storage.bucket(bucket).getFiles({
          autoPaginate: false,
          maxResults: Math.max(1, Math.min(o.pageSize ?? 1000, 5000)),
          ...(prefix ? { prefix } : {}),
          ...(o.delimiter ? { delimiter: o.delimiter } : {}),
          ...(o.cursor ? { pageToken: o.cursor } : {}),
        }),
      );
      const entries: ObjectEntry[] = [];
      for (const f of files) {
        // In a folder view, the folder's own marker (`dir/`) is the folder, not an entry inside it.
        if (o.delimiter && f.name === prefix && prefix.endsWith('/')) continue;
        entries.push(toEntry(f.name, f.metadata));
      }
      const prefixes = (raw as { prefixes?: unknown } | undefined)?.prefixes;
      if (Array.isArray(prefixes)) for (const p of prefixes) if (typeof p === 'string') entries.push(prefixEntry(p));
      entries.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
      const token = (next as { pageToken?: unknown } | null | undefined)?.pageToken;
      return { entries, ...(typeof token === 'string' && token ? { cursor: token } : {}) };
    },

    async stat(bucket, key, signal) {
      return toObjectMetadata(key, await metadataOf(bucket, key, signal));
    },

    async open(bucket: string, key: string, o: OpenOptions = {}): Promise<Readable> {
      const offset = o.offset ?? 0;
      if (offset < 0 || (o.length !== undefined && o.length < 0)) throw new InvalidInputError(`A byte range of ${where(bucket, key)} cannot be negative`);
      const c = ctx(bucket, key, o.signal);
      // Asking first makes a missing object fail here, as a not_found the caller can act on, not mid-stream.
      // The same request answers a conditional read: GCS has no If-Match on a media GET, but the read below is
      // pinned to the generation this metadata names, so comparing its ETag here is as strong as S3's If-Match.
      const meta = await metadataOf(bucket, key, o.signal);
      if (o.ifMatch !== undefined && meta.etag !== o.ifMatch) {
        throw new ConflictError(`${where(bucket, key)} changed since it was listed (ETag ${meta.etag ?? 'none'}, expected ${o.ifMatch})`);
      }
      const size = Number(meta.size ?? 0);
      const end = o.length === undefined ? size - 1 : Math.min(size, offset + o.length) - 1;
      if (offset === 0 && o.length === undefined) o.onMetadata?.(toObjectMetadata(key, meta));
      const out = new PassThrough();
      if (end < offset) {
        out.end();
        return out;
      }
      // Pin the generation we stat'ed, so a concurrent overwrite cannot splice two versions into one read.
      const f = meta.generation === undefined ? file(bucket, key) : storage.bucket(bucket).file(key, { generation: meta.generation });
      const ranged = offset > 0 || end < size - 1;
      const { parallel } = o;
      // A whole object in parallel ranged reads of the generation asked above (no further metadata request);
      // the relay's own CRC32C over the bytes in order stands for the SDK's whole-read validation.
      const src =
        !ranged && parallel && meta.generation !== undefined && worthRanges(size, parallel.partBytes)
          ? rangedBody({ size, parallel, fetch: (from, length) => Promise.resolve(f.createReadStream({ decompress: false, validation: false, start: from, end: from + length - 1 })), ...(o.signal ? { signal: o.signal } : {}) })
          : f.createReadStream({ decompress: false, validation: ranged ? false : 'crc32c', ...(ranged ? { start: offset, end } : {}) });
      const onAbort = (): void => {
        src.destroy();
        out.destroy(new CancelledError());
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      src.on('error', (e) => out.destroy(toGcsError(e, c)));
      out.on('close', () => {
        o.signal?.removeEventListener('abort', onAbort);
        src.destroy();
      });
      src.pipe(out);
      return out;
    },

    async put(bucket: string, key: string, source: Readable, o: PutOptions): Promise<PutResult> {
      const c = ctx(bucket, key, o.signal);
      if (!Number.isSafeInteger(o.size) || o.size < 0) throw new InvalidInputError(`The size of ${where(bucket, key)} must be a whole number of bytes`);
      if (Buffer.byteLength(key) > FEATURES.maxKeyBytes) throw new InvalidInputError(`The name of ${where(bucket, key)} is longer than 1,024 bytes`);
      const reader = new ChunkReader(source, where(bucket, key), o.onProgress, o.signal);
      const resource = resourceFromPut(o);
      try {
        let meta: FileMetadata;
        if ((o.size < multipart.thresholdBytes || o.size <= multipart.partSizeBytes) && !o.resume?.from) {
          const body = await reader.read(o.size, o.size);
          await reader.expectEnd(o.size);
          await o.verifyBeforeCommit?.();
          meta = await uploadBuffer(file(bucket, key), body, resource, o.signal);
        } else {
          meta = await compositeUpload({
            bucket: storage.bucket(bucket),
            key,
            size: o.size,
            reader,
            resource,
            multipart,
            ...(o.signal ? { signal: o.signal } : {}),
            ...(o.verifyBeforeCommit ? { verifyBeforeCommit: o.verifyBeforeCommit } : {}),
            ...(o.resume ? { resume: o.resume } : {}),
            ...(o.parts ? { parts: o.parts } : {}),
          });
        }
        return putResultOf(meta);
      } catch (e) {
        throw toGcsError(e, c);
      } finally {
        await reader.close();
      }
    },

    async remove(bucket, key, signal, options) {
      // Idempotent, as on S3: a retried delete whose first answer was lost must not fail. ifGenerationMatch: a newer
      // generation answers 412 (a ConflictError) and stays (fake-gcs-server 1.56.1 ignores it and deletes).
      const generation = options?.ifMatch?.version;
      await call(ctx(bucket, key, signal), () => file(bucket, key).delete({ ignoreNotFound: true, ...(generation ? { ifGenerationMatch: generation } : {}) }));
    },

    async removeMany(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<RemoveManyResult> {
      const failed: RemoveManyResult['failed'] = [];
      let removed = 0;
      await mapLimit(keys, DELETE_CONCURRENCY, async (key) => {
        try {
          await call(ctx(bucket, key, signal), () => file(bucket, key).delete({ ignoreNotFound: true }));
          removed++;
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          failed.push({ key, message: toGcsError(e, ctx(bucket, key)).message });
        }
      });
      return { removed, failed };
    },

    async copy(src: ObjectRef, dst: ObjectRef, o: CopyOptions = {}): Promise<PutResult> {
      const c = ctx(dst.bucket, dst.key, o.signal);
      // A rewrite with a body replaces the destination's metadata, so a patch is merged onto the source's first.
      const body = o.metadata ? mergedResource(await metadataOf(src.bucket, src.key, o.signal), o.metadata) : undefined;
      const target = file(dst.bucket, dst.key);
      const [, response] = await call(c, () => file(src.bucket, src.key).copy(target, body ? { ...body } : {}));
      // The rewrite's answer carries the new object; the SDK does not put it on the File.
      const resource = (response as { resource?: FileMetadata } | undefined)?.resource;
      const meta = resource ?? (await metadataOf(dst.bucket, dst.key, o.signal));
      return putResultOf(meta);
    },

    async setMetadata(bucket: string, key: string, patch: MetadataPatch, signal?: AbortSignal, options?: SetMetadataOptions): Promise<ObjectMetadata> {
      const c = ctx(bucket, key, signal);
      const current = await metadataOf(bucket, key, signal);
      if (patch.storageClass && !STORAGE_CLASSES.includes(patch.storageClass.toUpperCase())) {
        throw new InvalidInputError(`${patch.storageClass} is not a Cloud Storage class (use ${STORAGE_CLASSES.join(', ')})`);
      }
      const f = file(bucket, key);
      if (patch.storageClass && patch.storageClass.toUpperCase() !== current.storageClass) {
        // The class only changes by rewriting the object onto itself; the whole merged resource goes in that body.
        const body = mergedResource(current, { ...patch, storageClass: patch.storageClass.toUpperCase() });
        // Only onto the generation a caller checked: a self-rewrite's destination ifGenerationMatch is the same
        // condition as ifSourceGenerationMatch, which this SDK's File.copy cannot send (it puts unknown options in the
        // JSON body). GCS answers 412 when the object moved on; fake-gcs-server ignores it.
        const generation = options?.ifMatch?.version;
        const condition = generation === undefined ? {} : { preconditionOpts: { ifGenerationMatch: generation } };
        await call(c, () => f.copy(f, { ...body, ...condition }));
      } else {
        const body = patchBody(current, patch);
        if (Object.keys(body).length) await call(c, () => f.setMetadata(body));
      }
      return toObjectMetadata(key, await metadataOf(bucket, key, signal));
    },

    async listPendingUploads(bucket, signal) {
      const found = new Map<string, PendingUpload>();
      let pageToken: string | undefined;
      do {
        const [files, next] = await call(ctx(bucket, TEMP_PREFIX, signal), () =>
          storage.bucket(bucket).getFiles({ prefix: TEMP_PREFIX, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) }),
        );
        for (const f of files) {
          const id = f.name.slice(TEMP_PREFIX.length).split('/')[0] ?? '';
          const forKey = f.metadata.metadata?.[TEMP_FOR_KEY];
          const prev = found.get(id);
          const initiated = f.metadata.timeCreated;
          if (!prev) found.set(id, { key: typeof forKey === 'string' ? forKey : '', uploadId: id, ...(initiated ? { initiated } : {}) });
          else if (initiated && (!prev.initiated || initiated < prev.initiated)) prev.initiated = initiated;
        }
        const t = (next as { pageToken?: unknown } | null | undefined)?.pageToken;
        pageToken = typeof t === 'string' && t ? t : undefined;
      } while (pageToken);
      return [...found.values()];
    },

    // Upload resume (PutOptions.resume): gcs.resume.ts.
    async prepareResume(bucket, key, state, size, signal) {
      return call(ctx(bucket, key, signal), () => prepareGcsResume(storage.bucket(bucket), key, state, size));
    },

    async discardResume(bucket, key, state, signal) {
      await call(ctx(bucket, key, signal), () => discardGcsResume(storage.bucket(bucket), state));
    },

    async abortPendingUpload(bucket, upload, signal) {
      if (!/^[0-9a-f-]{36}$/.test(upload.uploadId)) throw new InvalidInputError('That is not an upload Skyferry started');
      const prefix = `${TEMP_PREFIX}${upload.uploadId}/`;
      const [files] = await call(ctx(bucket, prefix, signal), () => storage.bucket(bucket).getFiles({ prefix }));
      await removeTemp(
        storage.bucket(bucket),
        files.map((f) => f.name),
      );
    },

    ...(client.canSign ? { presign } : {}),

    versioning: gcsVersioning(storage, call, ctx, toGcsError),

    async close() {
      // The SDK keeps no sockets or timers of its own beyond Node's shared agent.
    },
  };
}
