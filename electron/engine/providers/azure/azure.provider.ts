import { PassThrough, Readable, pipeline } from 'node:stream';
import type { TokenCredential } from '@azure/identity';
import { BlobSASPermissions, type BlobItem, type ContainerClient } from '@azure/storage-blob';
import type { AzureSecrets, AzureSettings } from '../../../../shared/accounts';
import { CancelledError, ConflictError, InvalidInputError, NotFoundError, RetryableError } from '../../../../shared/errors';
import { baseName } from '../../../../shared/location';
import type { BucketInfo, ListPage, MetadataPatch, ObjectEntry, ObjectMetadata } from '../../../../shared/model';
import { guarded } from '../common/call';
import { unquoteEtag } from '../common/values';
import { DEFAULT_MULTIPART, type CopyOptions, type Features, type ListOptions, type MultipartSettings, type ObjectRef, type OpenOptions, type PendingUpload, type Provider, type PutFromUrlOptions, type PutOptions, type PutResult, type RemoveManyResult, type WriteOptions } from '../provider';
import { rangedBody, worthRanges } from '../ranged-read';
import { createAzureClients } from './azure.auth';
import { ContainerNotFoundError, toAzureError } from './azure.errors';
import { AZURE_TIERS, MAX_USER_METADATA_BYTES, blobHeaders, entryFromBlobItem, hasHeaders, md5Hex, metadataFromProperties, normalizeTier, patchedHeaders, restoreNameCase, validateUserMetadata } from './azure.metadata';
import { DEFAULT_PULL, pullFromUrl, type PullSettings } from './azure.pull';
import { removeBlobs } from './azure.remove';
import { MAX_BLOCKS, uploadStream } from './azure.upload';
import { discardUncommittedBlocks, foreignBlocks, isForeignBlockClash } from './azure.blocks';
import { discardAzureResume, prepareAzureResume } from './azure.resume';
import { delegationSigner } from './azure.sas';
import { azureVersioning } from './versions';

/** Azure's rules: 3-63 characters, lowercase letters, digits and single hyphens, starting and ending alphanumeric. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_PAGE = 5000;
/** Container clients kept per provider; past this many distinct names (a long browse session) they are built anew. */
const MAX_CACHED_CONTAINERS = 64;

const FEATURES: Features = {
  hashes: ['md5'],
  storageClasses: [...AZURE_TIERS],
  setMetadata: true,
  maxKeyBytes: 1024,
  maxUserMetadataBytes: MAX_USER_METADATA_BYTES,
  metadataNamesIdentifiersOnly: true,
  caseInsensitive: false,
  versions: true,
  storesMetadata: true,
  conditionalRead: true,
  parallelRead: true,
  // Set Blob Tier takes no ETag condition (x-ms-if-tags only).
  conditionalClassChange: false,
  resumeCrc: 'crc32',
  maxUploadParts: MAX_BLOCKS,
};

/** Tuning for tests and benchmarks; the app uses the defaults. */
export interface AzureProviderOptions {
  multipart?: MultipartSettings;
  pull?: PullSettings;
  /** How long a block upload may show no progress before it is cut (DEFAULT_BLOCK_STALL_MS). */
  blockStallMs?: number;
  /** The Microsoft Entra ID credential of an account with auth "entra". */
  credential?: TokenCredential;
}

/** An Azure Blob Storage account as a provider: parallel block puts, Copy Blob, cloud-side pulls from a signed URL. */
export function createAzureProvider(settings: AzureSettings, secrets: AzureSecrets, options: AzureProviderOptions = {}): Provider {
  const { service, sharedKey, endpoint, delegatedAccount } = createAzureClients(settings, secrets, options.credential);
  const multipart = options.multipart ?? DEFAULT_MULTIPART;
  const pull = options.pull ?? DEFAULT_PULL;
  const account = settings.name;
  const fail = (e: unknown, container?: string, key?: string) => toAzureError(e, { account, endpoint, container, key, identity: delegatedAccount !== undefined });
  const where = (container: string, key?: string): string => `az://${account}/${container}${key === undefined ? '' : `/${key}`}`;
  // A ContainerClient holds only its URL and the service's shared pipeline, but building one costs a generated
  // protocol client (URL parsing, six operation groups): kept per container instead of built for every request.
  const containers = new Map<string, ContainerClient>();
  const container = (name: string): ContainerClient => {
    const known = containers.get(name);
    if (known) return known;
    if (!CONTAINER_NAME.test(name)) {
      throw new InvalidInputError(`"${name}" is not a valid Azure container name: use 3-63 lowercase letters, digits and single hyphens.`);
    }
    const client = service.getContainerClient(name);
    if (containers.size >= MAX_CACHED_CONTAINERS) containers.clear();
    containers.set(name, client);
    return client;
  };
  const call = <T>(signal: AbortSignal | undefined, bucket: string | undefined, key: string | undefined, work: () => Promise<T>): Promise<T> =>
    guarded(signal, (e) => fail(e, bucket, key), work);

  const stat = (bucket: string, key: string, signal?: AbortSignal): Promise<ObjectMetadata> =>
    call(signal, bucket, key, async () => {
      const c = container(bucket);
      const meta = metadataFromProperties(key, await c.getBlobClient(key).getProperties({ abortSignal: signal }));
      if (Object.keys(meta.userMetadata).length === 0) return meta;
      // Node lowercases response header names, so HEAD loses the case of x-ms-meta-* names; a one-item
      // listing (the key sorts first under its own prefix) carries them as stored.
      const page = await c.listBlobsFlat({ prefix: key, includeMetadata: true, abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
      const item = page.done ? undefined : page.value.segment.blobItems[0];
      if (item?.name === key && item.metadata) meta.userMetadata = restoreNameCase(meta.userMetadata, item.metadata);
      return meta;
    });
  const checkKey = (key: string): void => {
    const bytes = Buffer.byteLength(key);
    if (bytes === 0 || bytes > FEATURES.maxKeyBytes) throw new InvalidInputError(`A blob name must be 1 to ${FEATURES.maxKeyBytes} bytes long; "${key.slice(0, 80)}" is ${bytes}.`);
  };
  /** The block blob a write goes to, and what it is written with, once name, metadata and tier suit Azure. */
  const writeTarget = (bucket: string, key: string, opts: WriteOptions) => {
    checkKey(key);
    validateUserMetadata(opts.userMetadata, where(bucket, key));
    const tier = normalizeTier(opts.storageClass, where(bucket, key));
    return { client: container(bucket).getBlockBlobClient(key), blob: { size: opts.size, headers: blobHeaders(opts), metadata: opts.userMetadata, tier } };
  };

  const setMetadata = async (bucket: string, key: string, patch: MetadataPatch, signal?: AbortSignal): Promise<ObjectMetadata> => {
    validateUserMetadata(patch.userMetadata, where(bucket, key));
    const tier = normalizeTier(patch.storageClass, where(bucket, key));
    const client = container(bucket).getBlobClient(key);
    await call(signal, bucket, key, async () => {
      if (hasHeaders(patch)) {
        const current = await client.getProperties({ abortSignal: signal });
        await client.setHTTPHeaders(patchedHeaders(current, patch), { abortSignal: signal, conditions: { ifMatch: current.etag } });
      }
      if (patch.userMetadata) await client.setMetadata(patch.userMetadata, { abortSignal: signal });
      // Set Blob Tier takes no ETag condition (x-ms-if-tags only), so SetMetadataOptions.ifMatch cannot apply here.
      if (tier) await client.setAccessTier(tier, { abortSignal: signal });
    });
    return stat(bucket, key, signal);
  };

  /** A read SAS signed with the account key: only an account reached with its key can make one. */
  const presign = async (bucket: string, key: string, expiresSeconds: number): Promise<string> => {
    if (!(expiresSeconds > 0)) throw new InvalidInputError('A shared link must expire a positive number of seconds from now.');
    const client = container(bucket).getBlobClient(key);
    return call(undefined, bucket, key, () => client.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + expiresSeconds * 1000) }));
  };

  /** A user-delegation SAS for an account signed in with Microsoft Entra ID (azure.sas.ts). */
  const presignDelegated = (accountName: string) => {
    const sign = delegationSigner(service, accountName);
    return (bucket: string, key: string, expiresSeconds: number): Promise<string> => call(undefined, bucket, key, () => sign(container(bucket).containerName, key, expiresSeconds));
  };

  return {
    kind: 'azure',
    features: FEATURES,

    async listBuckets(signal) {
      // A container SAS cannot list containers: an account limited to one container shows just that one.
      if (settings.container) return [{ name: settings.container }];
      return call(signal, undefined, undefined, async () => {
        const out: BucketInfo[] = [];
        for await (const page of service.listContainers().byPage({ maxPageSize: MAX_PAGE })) {
          if (signal?.aborted) throw new CancelledError();
          for (const c of page.containerItems ?? []) out.push({ name: c.name });
        }
        return out;
      });
    },

    async createBucket(bucket, signal) {
      await call(signal, bucket, undefined, () => container(bucket).create({ abortSignal: signal }));
    },

    async removeBucket(bucket, signal) {
      // Azure deletes a container with everything in it; the contract removes only empty ones.
      await call(signal, bucket, undefined, async () => {
        const c = container(bucket);
        const first = await c.listBlobsFlat().byPage({ maxPageSize: 1 }).next();
        if (!first.done && first.value.segment.blobItems.length > 0) {
          throw new ConflictError(`The container ${where(bucket)} is not empty: remove its blobs first.`);
        }
        await c.delete({ abortSignal: signal });
      });
    },

    async list(bucket, opts: ListOptions, signal): Promise<ListPage> {
      const prefix = opts.prefix ?? '';
      const maxPageSize = Math.min(MAX_PAGE, Math.max(1, opts.pageSize ?? 1000));
      const byPage = { continuationToken: opts.cursor || undefined, maxPageSize };
      return call(signal, bucket, undefined, async () => {
        const c = container(bucket);
        const entries: ObjectEntry[] = [];
        // A marker blob `dir/` is the folder itself: never an entry inside its own listing.
        const keep = (item: BlobItem): boolean => !(item.name === prefix && prefix.endsWith('/'));
        if (opts.delimiter) {
          const page = await c.listBlobsByHierarchy(opts.delimiter, { prefix, abortSignal: signal }).byPage(byPage).next();
          if (page.done) return { entries };
          for (const p of page.value.segment.blobPrefixes ?? []) {
            entries.push({ key: p.name, name: baseName(p.name), isPrefix: true, size: 0 });
          }
          for (const item of page.value.segment.blobItems) if (keep(item)) entries.push(entryFromBlobItem(item));
          return { entries, cursor: page.value.continuationToken || undefined };
        }
        const page = await c.listBlobsFlat({ prefix, abortSignal: signal }).byPage(byPage).next();
        if (page.done) return { entries };
        for (const item of page.value.segment.blobItems) if (keep(item)) entries.push(entryFromBlobItem(item));
        return { entries, cursor: page.value.continuationToken || undefined };
      });
    },

    stat,

    async open(bucket, key, opts: OpenOptions = {}) {
      const offset = opts.offset ?? 0;
      if (opts.length === 0) return Readable.from([]);
      const res = await call(opts.signal, bucket, key, () =>
        container(bucket)
          .getBlobClient(key)
          .download(offset, opts.length, { abortSignal: opts.signal, maxRetryRequests: 3, ...(opts.ifMatch === undefined ? {} : { conditions: { ifMatch: `"${opts.ifMatch}"` } }) }),
      );
      // The GET's own headers are the blob's properties (Content-MD5 is the stored one on a whole-blob read).
      // (The response's fields are getters: read them, never spread it.)
      const whole = offset === 0 && opts.length === undefined;
      if (whole && opts.onMetadata) {
        const meta = metadataFromProperties(key, res);
        const md5 = md5Hex(res.contentMD5 ?? res.blobContentMD5);
        opts.onMetadata(md5 === undefined ? meta : { ...meta, checksums: { md5 } });
      }
      const first = res.readableStreamBody;
      if (!first) return Readable.from([]);
      const { parallel } = opts;
      const size = res.contentLength ?? 0;
      const etag = res.etag;
      // The rest of the blob in ranged GETs of the version this answer names (If-Match its ETag).
      const body =
        whole && parallel && etag !== undefined && worthRanges(size, parallel.partBytes)
          ? rangedBody({
              size,
              parallel,
              // In Node the SDK's body is an http.IncomingMessage, a Readable.
              first: first as Readable,
              fetch: async (from, length, signal) => {
                const part = await call(signal, bucket, key, () => container(bucket).getBlobClient(key).download(from, length, { abortSignal: signal, maxRetryRequests: 3, conditions: { ifMatch: etag } }));
                if (!part.readableStreamBody) throw new RetryableError(`The read of ${key} gave no body; reading again`);
                return part.readableStreamBody as Readable;
              },
              ...(opts.signal ? { signal: opts.signal } : {}),
            })
          : first;
      // The SDK's mid-stream errors carry request URLs: the caller gets the mapped error instead.
      const out = new PassThrough();
      pipeline(body, out, (e) => {
        if (e) out.destroy(opts.signal?.aborted ? new CancelledError() : fail(e, bucket, key));
      });
      return out;
    },

    async put(bucket, key, source, opts: PutOptions): Promise<PutResult> {
      const { client, blob } = writeTarget(bucket, key, opts);
      const state: { stagedBlocks: boolean; keepBlocks?: boolean } = { stagedBlocks: false };
      try {
        const out = await uploadStream(
          client,
          source,
          {
            ...blob,
            signal: opts.signal,
            onProgress: opts.onProgress,
            verifyBeforeCommit: opts.verifyBeforeCommit,
            sourceMd5: opts.sourceMd5,
            resume: opts.resume,
            parts: opts.parts,
          },
          multipart,
          state,
          options.blockStallMs,
        );
        const checksums = { ...(out.md5 ? { md5: out.md5.toString('hex') } : {}), ...(out.crc32 === undefined ? {} : { crc32: out.crc32 }) };
        return { etag: unquoteEtag(out.etag), version: out.version, checksums };
      } catch (e) {
        if (!source.destroyed) source.destroy();
        if (!opts.signal?.aborted && state.stagedBlocks && !opts.resume?.from && isForeignBlockClash(e)) {
          const clash = await foreignBlocks(client, where(bucket, key), fail(e, bucket, key));
          if (clash) throw clash;
        }
        // Blocks staged for a key that has no committed blob would show as a pending upload: drop them (unless
        // they are checkpointed for a resume: the caller drops them when it gives up, PutOptions.resume).
        if (state.stagedBlocks && !state.keepBlocks) await discardUncommittedBlocks(client).catch(() => undefined);
        throw opts.signal?.aborted ? new CancelledError() : fail(e, bucket, key);
      }
    },

    async putFromUrl(bucket, key, sourceUrl, opts: PutFromUrlOptions): Promise<PutResult> {
      const { client, blob } = writeTarget(bucket, key, opts);
      const state = { stagedBlocks: false };
      try {
        const out = await pullFromUrl(
          client,
          sourceUrl,
          {
            ...blob,
            sourceMd5: opts.sourceMd5 === undefined ? undefined : Buffer.from(opts.sourceMd5, 'hex'),
            signal: opts.signal,
          },
          pull,
          state,
        );
        return { etag: unquoteEtag(out.etag), version: out.version, checksums: out.checkedMd5 ? { md5: out.checkedMd5.toString('hex') } : {} };
      } catch (e) {
        if (state.stagedBlocks) await discardUncommittedBlocks(client).catch(() => undefined);
        // Mapped errors name the blob, never a URL: the source link is a credential.
        throw opts.signal?.aborted ? new CancelledError() : fail(e, bucket, key);
      }
    },

    async remove(bucket, key, signal, options) {
      const etag = options?.ifMatch?.etag;
      await call(signal, bucket, key, async () => {
        try {
          // If-Match: a blob rewritten since its stat answers 412 ConditionNotMet (a ConflictError) and stays.
          const conditions = etag ? { ifMatch: `"${etag}"` } : undefined;
          await container(bucket).getBlobClient(key).delete({ deleteSnapshots: 'include', abortSignal: signal, ...(conditions ? { conditions } : {}) });
        } catch (e) {
          const mapped = fail(e, bucket, key);
          // Removing what is already gone succeeds, as S3 and GCS deletes do; a missing container does not.
          if (!(mapped instanceof NotFoundError) || mapped instanceof ContainerNotFoundError) throw mapped;
        }
      });
    },

    async removeMany(bucket, keys, signal): Promise<RemoveManyResult> {
      const c = container(bucket);
      return removeBlobs(c, keys, signal, (e, key) => fail(e, bucket, key));
    },

    async copy(src: ObjectRef, dst: ObjectRef, opts: CopyOptions = {}): Promise<PutResult> {
      const patch = opts.metadata;
      checkKey(dst.key);
      validateUserMetadata(patch?.userMetadata, where(dst.bucket, dst.key));
      const tier = normalizeTier(patch?.storageClass, where(dst.bucket, dst.key));
      const source = container(src.bucket).getBlobClient(src.key);
      const target = container(dst.bucket).getBlobClient(dst.key);
      await call(opts.signal, src.bucket, src.key, () => source.getProperties({ abortSignal: opts.signal }));
      await call(opts.signal, dst.bucket, dst.key, async () => {
        // Same account: Copy Blob is authorised by our own key; with a SAS, the source URL carries it.
        const poller = await target.beginCopyFromURL(source.url, {
          abortSignal: opts.signal,
          metadata: patch?.userMetadata,
          tier,
          intervalInMs: 500,
        });
        const done = await poller.pollUntilDone();
        if (done.copyStatus && done.copyStatus !== 'success') {
          throw new ConflictError(`The copy to ${where(dst.bucket, dst.key)} ended as "${done.copyStatus}".`);
        }
      });
      if (patch && hasHeaders(patch)) await setMetadata(dst.bucket, dst.key, { ...patch, userMetadata: undefined, storageClass: undefined }, opts.signal);
      const meta = await stat(dst.bucket, dst.key, opts.signal);
      return { etag: meta.etag, version: meta.version, checksums: meta.checksums };
    },

    setMetadata,

    async listPendingUploads(bucket, signal): Promise<PendingUpload[]> {
      return call(signal, bucket, undefined, async () => {
        const c = container(bucket);
        const out: PendingUpload[] = [];
        for await (const page of c.listBlobsFlat({ includeUncommitedBlobs: true, abortSignal: signal }).byPage({ maxPageSize: MAX_PAGE })) {
          for (const item of page.segment.blobItems) {
            // A blob that exists only as uncommitted blocks lists with length 0 and has no committed properties.
            if ((item.properties.contentLength ?? 0) !== 0) continue;
            const exists = await c.getBlobClient(item.name).exists({ abortSignal: signal });
            if (!exists) out.push({ key: item.name, uploadId: '', initiated: item.properties.createdOn?.toISOString() });
          }
        }
        return out;
      });
    },

    async abortPendingUpload(bucket, upload, signal) {
      await call(signal, bucket, upload.key, () => discardUncommittedBlocks(container(bucket).getBlockBlobClient(upload.key)));
    },

    // Upload resume (PutOptions.resume): azure.resume.ts.
    async prepareResume(bucket, key, state, size, signal) {
      return call(signal, bucket, key, () => prepareAzureResume(container(bucket).getBlockBlobClient(key), state, size, signal));
    },

    async discardResume(bucket, key, state, signal) {
      return call(signal, bucket, key, () => discardAzureResume(container(bucket).getBlockBlobClient(key), state));
    },

    ...(sharedKey ? { presign } : {}),
    ...(delegatedAccount ? { presign: presignDelegated(delegatedAccount) } : {}),

    versioning: azureVersioning(service, container, call, fail),

    async close() {
      // The SDK's HTTP client keeps no per-provider sockets or timers that need closing.
    },
  };
}
