import { AccessDeniedError, CancelledError, ChecksumMismatchError, ConflictError, FatalError, InvalidInputError, NotFoundError, RetryableError, SkyferryError, ThrottledError } from '../../../../shared/errors';
import { isAbortError, networkCodeOf, retryAfterOf, serviceMessage } from '../common/errors';

/** What the failing call was about, so that a message can name it (never a credential). */
export interface S3ErrorContext {
  op: string;
  bucket?: string;
  key?: string;
  /** The configured endpoint, or undefined for AWS itself. */
  endpoint?: string;
  signal?: AbortSignal;
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const KEY_REJECTED = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired', 'AuthorizationHeaderMalformed']);
const INVALID_INPUT = new Set([
  'InvalidRange',
  'InvalidBucketName',
  'KeyTooLongError',
  'MetadataTooLarge',
  'InvalidStorageClass',
  'InvalidArgument',
  'EntityTooLarge',
  'EntityTooSmall',
  'InvalidObjectState',
]);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** The endpoint as a user may see it: no user-info, no query (a pre-signed or credentialed URL stays private). */
export function safeEndpoint(endpoint: string | undefined): string {
  if (!endpoint) return 'Amazon S3';
  try {
    const u = new URL(endpoint);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'the configured endpoint';
  }
}

function where(ctx: S3ErrorContext): string {
  if (ctx.bucket && ctx.key !== undefined) return `s3 object "${ctx.key}" in bucket "${ctx.bucket}"`;
  if (ctx.bucket) return `bucket "${ctx.bucket}"`;
  return safeEndpoint(ctx.endpoint);
}

/** Turns anything the S3 SDK (or a stream under it) throws into one of the project's error classes. */
export function toS3Error(err: unknown, ctx: S3ErrorContext): SkyferryError {
  if (err instanceof SkyferryError) return err;
  const e = (err && typeof err === 'object' ? err : {}) as SdkErrorShape;
  const name = str(e.name) ?? '';
  const code = str(e.Code) ?? str(e.code) ?? name;
  const status = e.$metadata?.httpStatusCode ?? 0;
  const opts = { cause: err };

  if (ctx.signal?.aborted || isAbortError(err) || code === 'ABORT_ERR' || code === 'RequestAborted') {
    return new CancelledError(`Cancelled: ${ctx.op} of ${where(ctx)}`, opts);
  }
  if (code === 'NoSuchBucket') return new NotFoundError(`The bucket "${ctx.bucket ?? '?'}" does not exist`, opts);
  if (code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchUpload' || status === 404) {
    return new NotFoundError(ctx.key !== undefined ? `Not found: ${where(ctx)}` : `Not found: ${where(ctx)} (${ctx.op})`, opts);
  }
  if (KEY_REJECTED.has(code)) {
    return new AccessDeniedError(`The key was rejected by ${safeEndpoint(ctx.endpoint)}: check the access key and secret`, opts);
  }
  if (code === 'AccessDenied' || code === 'Forbidden' || code === 'AllAccessDisabled' || status === 401 || status === 403) {
    return new AccessDeniedError(
      `Access denied to ${where(ctx)} (${ctx.op}): the key was rejected or lacks permission; check the access key and secret, and the key's policy`,
      opts,
    );
  }
  if (code === 'SlowDown' || code === 'Throttling' || code === 'TooManyRequests' || status === 429 || status === 503) {
    return new ThrottledError(`The storage service asked to slow down (${ctx.op} of ${where(ctx)})`, { cause: err, retryAfterMs: retryAfterOf(err) });
  }
  if (code === 'BucketNotEmpty') return new ConflictError(`The bucket "${ctx.bucket ?? '?'}" is not empty: remove its objects first`, opts);
  if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') {
    return new ConflictError(`The bucket "${ctx.bucket ?? '?'}" already exists${code === 'BucketAlreadyExists' ? ' (owned by another account; bucket names are global)' : ''}`, opts);
  }
  if (code === 'PreconditionFailed' || status === 412) {
    return new ConflictError(`${where(ctx)} changed while ${ctx.op} was running`, opts);
  }
  // The SDK's own response validation throws a plain Error ("Checksum mismatch: expected … but received …") from
  // the body stream: bytes damaged on the way, worth reading again, so it must not fall through to fatal.
  const sdkChecksum = /^checksum mismatch/i.test(str(e.message) ?? '');
  if (code === 'BadDigest' || code === 'XAmzContentSHA256Mismatch' || code === 'InvalidDigest' || /checksum/i.test(code) || sdkChecksum) {
    return new ChecksumMismatchError(`The bytes of ${where(ctx)} did not match their checksum (${ctx.op}); the transfer will be retried`, opts);
  }
  if (INVALID_INPUT.has(code) || status === 416) {
    return new InvalidInputError(`${ctx.op} of ${where(ctx)} was refused: ${code}${str(e.message) ? `: ${serviceMessage(String(e.message))}` : ''}`, opts);
  }
  const net = networkCodeOf(err);
  if (net && UNREACHABLE_CODES.has(net)) {
    return new RetryableError(`The storage endpoint ${safeEndpoint(ctx.endpoint)} could not be reached (${net}): check the endpoint address and your network`, opts);
  }
  if (net || name === 'TimeoutError' || code === 'RequestTimeout' || (status >= 500 && status < 600)) {
    return new RetryableError(`${ctx.op} of ${where(ctx)} failed for a passing reason (${net ?? (code || status)}); it can be retried`, opts);
  }
  const detail = str(e.message) ? serviceMessage(String(e.message)) : 'no detail';
  return new FatalError(`${ctx.op} of ${where(ctx)} failed: ${code || 'error'}: ${detail}`, opts);
}
