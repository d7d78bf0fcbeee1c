import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { CancelledError, InvalidInputError } from '../../../../shared/errors';
import { sourceFailure } from '../common/errors';
import type { PutOptions, PutResult } from '../provider';
import { toS3Error } from './s3.errors';
import { putResultOf } from './s3.metadata';
import { objectParams, type UploadTarget } from './s3.params';
import { uploadResumable } from './s3.resume';

/**
 * Counts the source's bytes for onProgress and insists on exactly `size` of them: a source that ends early or
 * runs long fails the put (a short body would otherwise hang a single PutObject or store a short object).
 * It reports such a failure through `onInvalid` rather than by erroring, so that the upload decides how the
 * failure reaches the SDK (see `uploadObject`). With `verify`, the last chunk is held back until it passes: the
 * server cannot store a single PutObject, nor lib-storage complete a multipart upload, without those bytes.
 */
class SizedCounter extends Transform {
  private seen = 0;
  private held: Buffer | undefined;
  constructor(
    private readonly size: number,
    private readonly onInvalid: (err: Error) => void,
    private readonly onProgress?: (bytes: number) => void,
    private readonly verify?: () => Promise<void>,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.size) {
      this.onInvalid(new InvalidInputError(`The source gave more than the announced ${this.size} bytes`));
      done();
      return;
    }
    if (this.verify && this.seen === this.size && chunk.length > 0) {
      this.held = chunk;
      done();
    } else done(null, chunk);
    this.onProgress?.(this.seen);
  }

  override _flush(done: TransformCallback): void {
    if (this.seen !== this.size) {
      this.onInvalid(new InvalidInputError(`The source ended after ${this.seen} of ${this.size} bytes`));
      return;
    }
    if (!this.verify) {
      done();
      return;
    }
    this.verify().then(
      () => done(null, this.held),
      (e: unknown) => this.onInvalid(e instanceof Error ? e : new Error(String(e))),
    );
  }
}

/**
 * Single PutObject below the threshold, lib-storage's parallel multipart above it. Either way the body streams:
 * at most `concurrency` parts (plus one being filled) sit in memory. An abort is turned into a source error so
 * that lib-storage takes its failure path, which waits for parts in flight and then aborts the multipart upload:
 * when this rejects, nothing of the upload is left on the server.
 */
export async function uploadObject(t: UploadTarget, source: Readable, options: PutOptions): Promise<PutResult> {
  const { signal, size } = options;
  const ctx = { op: 'upload', bucket: t.bucket, key: t.key, endpoint: t.endpoint, signal };
  if (signal?.aborted) throw new CancelledError(`Cancelled: upload of "${t.key}"`);

  const multipartPath = size >= t.multipart.thresholdBytes;
  // Resumable parts need a CRC32 per part to prove, after a restart, that the stored prefix is the one recorded.
  // A resumed upload continues in parts whatever the sizing says now (its source starts mid-object).
  if (options.resume && ((multipartPath && t.flexibleChecksums) || options.resume.from)) return uploadResumable(t, source, options, options.resume);
  const request = new AbortController();
  let failure: unknown;
  // One way out for a failed source, a wrong size or a cancel. lib-storage reads the body itself, so it gets the
  // error and takes its own failure path (wait for parts in flight, then AbortMultipartUpload). A single PutObject
  // is aborted instead, and its body closed without an error: the SDK's aws-chunked wrapper re-emits a body
  // error on a stream nobody listens to (an uncaught exception), and left alone the request would wait for the
  // missing bytes until the server gives up (MinIO: 30 s, then 503).
  const fail = (err: unknown): void => {
    if (failure !== undefined) return;
    failure = err;
    request.abort();
    body.destroy(multipartPath ? (err instanceof Error ? err : new Error(String(err))) : undefined);
  };
  const body = new SizedCounter(size, fail, options.onProgress, options.verifyBeforeCommit);
  body.on('error', fail);
  source.on('error', fail);
  source.pipe(body);
  const onAbort = (): void => fail(new CancelledError(`Cancelled: upload of "${t.key}"`));
  signal?.addEventListener('abort', onAbort, { once: true });

  const params = { Bucket: t.bucket, Key: t.key, Body: body, ContentLength: size, ...objectParams(options) };
  try {
    if (!multipartPath) {
      const out = await t.client.send(new PutObjectCommand({ ...params, ...(t.flexibleChecksums ? { ChecksumAlgorithm: 'CRC32' as const } : {}) }), {
        abortSignal: request.signal,
      });
      return putResultOf(out);
    }
    const upload = new Upload({
      client: t.client,
      params,
      queueSize: t.multipart.concurrency,
      partSize: t.multipart.partSizeBytes,
      leavePartsOnError: false,
    });
    return putResultOf(await upload.done());
  } catch (err) {
    // Release a source (a file handle, another cloud's response) that the SDK stopped reading.
    source.unpipe(body);
    if (!source.destroyed) source.destroy();
    if (!body.destroyed) body.destroy();
    if (signal?.aborted) throw new CancelledError(`Cancelled: upload of "${t.key}"`, { cause: err });
    // The SDK reports a failed body as an aborted request or a stream error: name the real cause.
    if (failure !== undefined) throw sourceFailure(failure, `"${t.key}"`);
    throw toS3Error(err, ctx);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
