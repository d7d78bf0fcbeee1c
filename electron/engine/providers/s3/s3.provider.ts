import { AbortMultipartUploadCommand, CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client, type BucketLocationConstraint, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { PassThrough, Readable } from 'node:stream';
import type { S3Secrets, S3Settings } from '../../../../shared/accounts';
import { CancelledError, InvalidInputError, NotFoundError, SkyferryError, UnsupportedError } from '../../../../shared/errors';
import { baseName } from '../../../../shared/location';
import type { BucketInfo, ListPage, MetadataPatch, ObjectEntry, ObjectMetadata } from '../../../../shared/model';
import { createLogger, registerSecret } from '../../log';
import { guarded } from '../common/call';
import { unquoteEtag } from '../common/values';
import { rangedBody, worthRanges } from '../ranged-read';
import { DEFAULT_MULTIPART, type Features, type MultipartSettings, type ObjectRef, type PendingUpload, type Provider } from '../provider';
import { copyObject, DEFAULT_COPY, type CopySettings } from './s3.copy';
import { awsCredentialProvider, type MfaCodeSource } from './s3.credentials';
import { partLayout, verifyParts } from './s3.composite';
import { toS3Error, type S3ErrorContext } from './s3.errors';
import { headToMetadata, mergedHeaders } from './s3.metadata';
import { uploadObject } from './s3.upload';
import { discardS3Resume, MAX_PARTS, prepareS3Resume } from './s3.resume';
import { s3Versioning } from './versions';

/** Amazon S3's storage classes (others may accept fewer; the server says so on use). */
export const S3_STORAGE_CLASSES = [
  'STANDARD',
  'INTELLIGENT_TIERING',
  'STANDARD_IA',
  'ONEZONE_IA',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
  'REDUCED_REDUNDANCY',
  'EXPRESS_ONEZONE',
];

const FEATURES: Features = {
  hashes: ['md5', 'crc32c', 'crc32', 'sha256'],
  storageClasses: S3_STORAGE_CLASSES,
  setMetadata: true,
  maxKeyBytes: 1024,
  maxUserMetadataBytes: 2048,
  metadataNamesIdentifiersOnly: false,
  caseInsensitive: false,
  versions: true,
  storesMetadata: true,
  conditionalRead: true,
  parallelRead: true,
  conditionalClassChange: true,
  resumeCrc: 'crc32',
  maxUploadParts: MAX_PARTS,
};

const log = createLogger('s3');
type SdkLogger = NonNullable<S3ClientConfig['logger']>;
/**
 * The SDK's own warnings (e.g. a failed streaming body) are expected failures that reach the caller as errors.
 * No `debug` or `info`: the SDK calls them as `logger?.info?.(...)`, and its logger middleware builds the argument,
 * a sensitive-field-filtered copy of every command's input and output (schemaLogFilter), on each request only when
 * `info` exists. Leaving both out skips that work (about 0.02 CPU ms per GetObject); nothing was logged at those
 * levels anyway. (Every call the SDK makes to `debug`/`info`/`trace` is optional-chained: checked in 3.1173.)
 */
const sdkLogger = { warn: (m: unknown) => log.debug(String(m)), error: (m: unknown) => log.debug(String(m)) } as Partial<SdkLogger> as SdkLogger;

const DELETE_BATCH = 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** Tuning for tests and benchmarks; the app uses the defaults. */
export interface S3ProviderOptions {
  multipart?: MultipartSettings;
  /** Server-side copy sizing; tests lower the threshold to drive UploadPartCopy with a small object. */
  copy?: Partial<CopySettings>;
  /** Where a role that asks for MFA gets its code (the engine asks the user through the renderer). */
  mfaCode?: MfaCodeSource;
}

/** Decodes a listing field sent with EncodingType=url (form encoding: `+` is a space). */
function decodeKey(value: string | undefined): string {
  return value === undefined ? '' : decodeURIComponent(value.replace(/\+/g, ' '));
}

/** The store does not implement what a header asked for (S3's 501 NotImplemented). */
function isNotImplemented(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  return e?.name === 'NotImplemented' || e?.$metadata?.httpStatusCode === 501;
}

/** An S3 (or S3-compatible) account as a provider: parallel multipart puts, UploadPartCopy copies, presigned GETs. */
export function createS3Provider(settings: S3Settings, secrets: S3Secrets | undefined, options: S3ProviderOptions = {}): Provider {
  registerSecret(secrets?.secretAccessKey);
  registerSecret(secrets?.sessionToken);
  const multipart = options.multipart ?? DEFAULT_MULTIPART;
  const copySettings: CopySettings = { ...DEFAULT_COPY, concurrency: multipart.concurrency, ...options.copy };
  const endpoint = settings.endpoint;
  const checksum = settings.checksumMode === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  const client = new S3Client({
    region: settings.region,
    endpoint,
    forcePathStyle: settings.forcePathStyle,
    // Saved keys, or (a profile, the environment) the SDK's provider, which it calls again before they expire.
    credentials: secrets
      ? { accessKeyId: secrets.accessKeyId, secretAccessKey: secrets.secretAccessKey, sessionToken: secrets.sessionToken }
      : awsCredentialProvider(settings, { ...(options.mfaCode ? { mfaCode: options.mfaCode } : {}) }),
    requestChecksumCalculation: checksum,
    responseChecksumValidation: checksum,
    logger: sdkLogger,
    // Parts in flight for several transfers at once; a dead endpoint must fail in seconds, not minutes. A socket
    // silent both ways for 2 minutes is dropped (socketTimeout: inactivity; this SDK's requestTimeout only warns
    // unless told to throw, and would then cut a slow but moving part upload).
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000, httpAgent: { keepAlive: true, maxSockets: 64 }, httpsAgent: { keepAlive: true, maxSockets: 64 } },
  });

  /** The expiry of the credentials the client signs with now (the SDK refreshes them first when they are near it). */
  const signingExpiry = async (signal?: AbortSignal): Promise<Date | undefined> => {
    if (secrets) return undefined;
    const identity = await call({ op: 'sign in', signal }, () => client.config.credentials());
    return identity.expiration;
  };

  // Cleared for good once the store answers 501 to a conditional delete (some S3-compatible stores).
  let conditionalDeletes = true;

  /** One request; its failure leaves as a project error naming what it was about. */
  const call = <T>(c: Omit<S3ErrorContext, 'endpoint'>, work: () => Promise<T>): Promise<T> => guarded(c.signal, (e) => toS3Error(e, { ...c, endpoint }), work);
  const checkBucket = (bucket: string): void => {
    if (settings.bucket && bucket !== settings.bucket) throw new InvalidInputError(`This account is limited to the bucket "${settings.bucket}"`);
  };

  const stat = async (bucket: string, key: string, signal?: AbortSignal): Promise<ObjectMetadata> =>
    headToMetadata(key, await call({ op: 'stat', bucket, key, signal }, () => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }), { abortSignal: signal })));

  /** `ifMatch`: the ETag a caller checked, sent as CopySourceIfMatch instead of the one this HEAD read (412 if moved on). */
  const copy = async (src: ObjectRef, dst: ObjectRef, patch: MetadataPatch | undefined, signal?: AbortSignal, ifMatch?: string) => {
    const head = await stat(src.bucket, src.key, signal);
    const headers = patch ? mergedHeaders(head, patch) : undefined;
    const srcMeta = ifMatch === undefined ? head : { ...head, etag: ifMatch };
    return copyObject({ client, endpoint, settings: copySettings, src, srcMeta, dst, headers, signal });
  };

  return {
    kind: 's3',
    features: checksum === 'WHEN_SUPPORTED' ? { ...FEATURES, putChecksum: 'crc32' } : FEATURES,

    async listBuckets(signal) {
      if (settings.bucket) return [{ name: settings.bucket }];
      const out = await call({ op: 'list buckets', signal }, () => client.send(new ListBucketsCommand({}), { abortSignal: signal }));
      return (out.Buckets ?? []).map((b): BucketInfo => {
        const info: BucketInfo = { name: b.Name ?? '' };
        if (b.CreationDate) info.created = b.CreationDate.toISOString();
        if (b.BucketRegion) info.region = b.BucketRegion;
        return info;
      });
    },

    async createBucket(bucket, signal) {
      // us-east-1 is the one region that must not be named as a location constraint.
      const location = settings.region && settings.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: settings.region as BucketLocationConstraint } } : {};
      await call({ op: 'create bucket', bucket, signal }, () => client.send(new CreateBucketCommand({ Bucket: bucket, ...location }), { abortSignal: signal }));
    },

    async removeBucket(bucket, signal) {
      await call({ op: 'remove bucket', bucket, signal }, () => client.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: signal }));
    },

    async list(bucket, options, signal): Promise<ListPage> {
      checkBucket(bucket);
      const prefix = options.prefix ?? '';
      const out = await call({ op: 'list', bucket, signal }, () =>
        client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix || undefined,
            Delimiter: options.delimiter,
            ContinuationToken: options.cursor,
            MaxKeys: Math.min(1000, Math.max(1, options.pageSize ?? 1000)),
            // Keys may hold characters XML 1.0 cannot carry; url encoding keeps them exact.
            EncodingType: 'url',
          }),
          { abortSignal: signal },
        ),
      );
      const entries: ObjectEntry[] = [];
      for (const p of out.CommonPrefixes ?? []) {
        const key = decodeKey(p.Prefix);
        entries.push({ key, name: baseName(key), isPrefix: true, size: 0 });
      }
      for (const o of out.Contents ?? []) {
        const key = decodeKey(o.Key);
        // In a folder view, the folder's own marker object (`dir/` listed under `dir/`) is not a child of it.
        if (options.delimiter && key === prefix) continue;
        const entry: ObjectEntry = { key, name: baseName(key), isPrefix: false, size: o.Size ?? 0 };
        if (o.LastModified) entry.modified = o.LastModified.toISOString();
        const etag = unquoteEtag(o.ETag);
        if (etag) entry.etag = etag;
        if (o.StorageClass) entry.storageClass = o.StorageClass;
        entries.push(entry);
      }
      entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const page: ListPage = { entries };
      if (out.IsTruncated && out.NextContinuationToken) page.cursor = out.NextContinuationToken;
      return page;
    },

    stat,

    async open(bucket, key, opts = {}) {
      const { offset = 0, length, signal } = opts;
      if (offset < 0 || (length !== undefined && length < 0)) throw new InvalidInputError(`Invalid byte range (offset ${offset}, length ${length})`);
      if (length === 0) {
        await stat(bucket, key, signal); // still say not_found for a missing object
        return Readable.from([]);
      }
      const range = offset > 0 || length !== undefined ? `bytes=${offset}-${length === undefined ? '' : offset + length - 1}` : undefined;
      const ctx = { op: 'read', bucket, key, signal };
      const { body, verifier } = await call(ctx, async () => {
        const ifMatch = opts.ifMatch === undefined ? undefined : `"${opts.ifMatch}"`;
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range, IfMatch: ifMatch, ...(opts.onMetadata ? { ChecksumMode: 'ENABLED' as const } : {}) }), { abortSignal: signal });
        if (!(out.Body instanceof Readable)) throw new UnsupportedError('The S3 client returned no Node stream');
        // The GET's own headers are the object's metadata (of the whole object only when no range was asked).
        if (range !== undefined || !opts.onMetadata) return { body: out.Body, verifier: undefined };
        const meta = headToMetadata(key, out);
        // A composite checksum is said to the caller only once this stream checks the bytes against it.
        const composite = meta.compositeChecksum;
        delete meta.compositeChecksum;
        const layout = composite ? await partLayout(client, { bucket, key, version: meta.version, size: meta.size }, composite, signal) : undefined;
        if (layout) meta.compositeChecksum = composite;
        opts.onMetadata(meta);
        const verifier = layout ? verifyParts(layout, key) : undefined;
        const { parallel } = opts;
        const etag = meta.etag;
        if (!parallel || etag === undefined || !worthRanges(meta.size, parallel.partBytes)) return { body: out.Body, verifier };
        // The rest of the object in ranged GETs of the version this answer names (If-Match its ETag); the composite
        // check, if any, still sees every byte in order.
        const fetch = async (from: number, length: number, rangeSignal: AbortSignal): Promise<Readable> => {
          const part = await call({ ...ctx, signal: rangeSignal }, () =>
            client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${from}-${from + length - 1}`, IfMatch: `"${etag}"` }), { abortSignal: rangeSignal }),
          );
          if (!(part.Body instanceof Readable)) throw new UnsupportedError('The S3 client returned no Node stream');
          return part.Body;
        };
        return { body: rangedBody({ size: meta.size, parallel, first: out.Body, fetch, ...(signal ? { signal } : {}) }), verifier };
      });
      // Errors during the read (a dropped connection, an abort, a part that does not match its stored CRC) reach
      // the caller as project errors too.
      const stream = new PassThrough();
      const onAbort = (): void => {
        body.destroy();
        stream.destroy(new CancelledError(`Cancelled: read of "${key}"`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const read: Readable = verifier ?? body;
      if (verifier) {
        const v = verifier;
        body.on('error', (err) => v.destroy(err));
        body.pipe(v);
      }
      read.on('error', (err) => stream.destroy(err instanceof SkyferryError ? err : toS3Error(err, { ...ctx, endpoint })));
      stream.on('close', () => {
        signal?.removeEventListener('abort', onAbort);
        if (!body.readableEnded) body.destroy();
        if (verifier && !verifier.destroyed) verifier.destroy();
      });
      read.pipe(stream);
      return stream;
    },

    async put(bucket, key, source, putOptions) {
      checkBucket(bucket);
      if (Buffer.byteLength(key) > FEATURES.maxKeyBytes) throw new InvalidInputError(`The key is longer than S3's ${FEATURES.maxKeyBytes} bytes: "${key.slice(0, 60)}…"`);
      return uploadObject({ client, bucket, key, endpoint, multipart, flexibleChecksums: checksum === 'WHEN_SUPPORTED' }, source, putOptions);
    },

    async prepareResume(bucket, key, state, size, signal) {
      checkBucket(bucket);
      return prepareS3Resume({ client, bucket, key, endpoint }, state, size, signal);
    },

    async discardResume(bucket, key, state, signal) {
      return discardS3Resume({ client, bucket, key, endpoint }, state, signal);
    },

    async remove(bucket, key, signal, options) {
      const etag = conditionalDeletes ? options?.ifMatch?.etag : undefined;
      const ctx = { op: 'remove', bucket, key, signal };
      const del = (ifMatch: string | undefined) =>
        client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(ifMatch ? { IfMatch: `"${ifMatch}"` } : {}) }), { abortSignal: signal });
      await call(ctx, async () => {
        try {
          // If-Match on DeleteObject: AWS answers 412 when the ETag moved on (MinIO accepts the header and ignores it).
          await del(etag);
        } catch (err) {
          if (!etag) throw err;
          if (isNotImplemented(err)) {
            // A store that does not do conditional deletes (501 NotImplemented) keeps working, unconditionally from
            // now on: the caller's check just before the delete is then the only guard.
            conditionalDeletes = false;
            log.warn(`${endpoint ?? 'this S3 store'} does not implement conditional deletes (If-Match): deletes go without it, after the check made just before`);
            await del(undefined);
            return;
          }
          // With If-Match, a missing key is a 404 instead of the usual 204: gone counts as removed all the same.
          if ((err as { name?: string }).name !== 'NoSuchBucket' && toS3Error(err, { ...ctx, endpoint }) instanceof NotFoundError) return;
          throw err;
        }
      });
    },

    async removeMany(bucket, keys, signal) {
      const result = { removed: 0, failed: [] as Array<{ key: string; message: string }> };
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH);
        const out = await call({ op: 'remove objects', bucket, signal }, () =>
          client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }), { abortSignal: signal }),
        );
        const errors = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        for (const e of errors) result.failed.push({ key: e.Key ?? '', message: `${e.Code ?? 'Error'}: ${e.Message ?? 'could not be removed'}` });
        result.removed += batch.length - errors.length;
      }
      return result;
    },

    async copy(src, dst, copyOptions = {}) {
      return copy(src, dst, copyOptions.metadata, copyOptions.signal);
    },

    async setMetadata(bucket, key, patch, signal, options) {
      await copy({ bucket, key }, { bucket, key }, patch, signal, options?.ifMatch?.etag);
      return stat(bucket, key, signal);
    },

    async listPendingUploads(bucket, signal) {
      const uploads: PendingUpload[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (;;) {
        const out = await call({ op: 'list pending uploads', bucket, signal }, () =>
          client.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }), { abortSignal: signal }),
        );
        for (const u of out.Uploads ?? []) {
          if (!u.Key || !u.UploadId) continue;
          const pending: PendingUpload = { key: u.Key, uploadId: u.UploadId };
          if (u.Initiated) pending.initiated = u.Initiated.toISOString();
          uploads.push(pending);
        }
        if (!out.IsTruncated || (!out.NextKeyMarker && !out.NextUploadIdMarker)) return uploads;
        keyMarker = out.NextKeyMarker;
        uploadIdMarker = out.NextUploadIdMarker;
      }
    },

    async abortPendingUpload(bucket, upload, signal) {
      await call({ op: 'abort upload', bucket, key: upload.key, signal }, () =>
        client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }), { abortSignal: signal }).catch((err: unknown) => {
          // An upload that is already gone is what the user asked for; a missing bucket is still an error.
          if ((err as { name?: unknown } | null)?.name !== 'NoSuchUpload') throw err;
        }),
      );
    },

    async presign(bucket, key, expiresSeconds) {
      if (!(expiresSeconds > 0 && expiresSeconds <= MAX_PRESIGN_SECONDS)) {
        throw new InvalidInputError(`A shared link lasts between 1 second and 7 days (asked: ${expiresSeconds} s)`);
      }
      // A URL signed with temporary credentials stops working when they do: it never says it lasts longer.
      const until = await signingExpiry();
      const left = until ? Math.floor((until.getTime() - Date.now()) / 1000) : Infinity;
      const seconds = Math.max(1, Math.min(Math.floor(expiresSeconds), left));
      return call({ op: 'presign', bucket, key }, () => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds }));
    },

    ...(secrets ? {} : { signingExpiry }),
    versioning: s3Versioning(client, call, (e, c) => toS3Error(e, { ...c, endpoint })),

    async close() {
      client.destroy();
    },
  };
}
