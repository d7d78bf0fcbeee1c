import {
  AccessDeniedError,
  CancelledError,
  ConflictError,
  FatalError,
  InvalidInputError,
  NotFoundError,
  RetryableError,
  SkyferryError,
  ThrottledError,
} from '../../../../shared/errors';
import { NETWORK_CODES as SHARED_NETWORK_CODES, parseRetryAfter } from '../http-errors';

/** A NotFoundError for the container itself, so that deletes can tell it from an already-gone blob. */
export class ContainerNotFoundError extends NotFoundError {}

/** Where an Azure call was aimed, so that the message names what the user knows (never a URL with a SAS). */
export interface AzureErrorContext {
  /** The saved account's name, as in az://account/container/blob. */
  account: string;
  /** The blob service URL without any query (no SAS). */
  endpoint: string;
  container?: string;
  key?: string;
}

const NETWORK_CODES = new Set([...SHARED_NETWORK_CODES, 'REQUEST_SEND_ERROR']);

const AUTH_CODES = new Set(['AuthenticationFailed', 'AuthorizationFailure', 'InvalidAuthenticationInfo', 'NoAuthenticationInformation']);
const INPUT_CODES = new Set([
  'InvalidMetadata',
  'InvalidResourceName',
  'InvalidInput',
  'InvalidHeaderValue',
  'InvalidQueryParameterValue',
  'OutOfRangeInput',
  'InvalidRange',
  'InvalidBlobTier',
  'InvalidBlockId',
  'InvalidBlockList',
  'Md5Mismatch',
  'RequestBodyTooLarge',
]);
const CONFLICT_CODES = new Set([
  'ContainerBeingDeleted',
  'ContainerAlreadyExists',
  'BlobAlreadyExists',
  'ConditionNotMet',
  'LeaseIdMissing',
  'LeaseAlreadyPresent',
  'BlobArchived',
  'BlobBeingRehydrated',
  'PendingCopyOperation',
]);

/**
 * Removes anything that could carry a credential from an SDK message: the SDK quotes request URLs (with the
 * SAS in their query) and sometimes headers. Only Azure's first sentence survives.
 */
export function sanitizeAzureMessage(text: string): string {
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  return firstLine
    .replace(/https?:\/\/\S+/gi, '<url>')
    .replace(/([?&]?sig=)[^&\s"']+/gi, '$1[redacted]')
    .replace(/(AccountKey=)[^;\s"']+/gi, '$1[redacted]')
    .replace(/(SharedAccessSignature=)[^;\s"']+/gi, '$1[redacted]')
    .replace(/(Authorization:\s*)[^\r\n]+/gi, '$1[redacted]')
    .trim()
    .slice(0, 300);
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  response?: { headers?: { get?: (name: string) => string | undefined } };
}

function shape(e: unknown): SdkErrorShape {
  return typeof e === 'object' && e !== null ? (e as SdkErrorShape) : {};
}

function header(e: SdkErrorShape, name: string): string | undefined {
  try {
    const get = e.response?.headers?.get;
    return typeof get === 'function' ? get.call(e.response?.headers, name) : undefined;
  } catch {
    return undefined;
  }
}

function retryAfterMs(e: SdkErrorShape): number | undefined {
  return parseRetryAfter(header(e, 'retry-after'));
}

function where(ctx: AzureErrorContext): string {
  if (ctx.container && ctx.key !== undefined) return `az://${ctx.account}/${ctx.container}/${ctx.key}`;
  if (ctx.container) return `az://${ctx.account}/${ctx.container}`;
  return `az://${ctx.account}`;
}

/** The project's error for any failure of an Azure call. Never keeps the SDK error (it holds URLs and headers). */
export function mapAzureError(e: unknown, ctx: AzureErrorContext): SkyferryError {
  if (e instanceof SkyferryError) return e;
  const err = shape(e);
  const name = typeof err.name === 'string' ? err.name : '';
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  // HEAD responses have no body: Azure still names the error in a header.
  const code = (typeof err.code === 'string' && err.code) || header(err, 'x-ms-error-code') || '';
  const detail = sanitizeAzureMessage(typeof err.message === 'string' ? err.message : String(e));
  const cause = new Error(`Azure ${status ?? 'network'} ${code || name}: ${detail}`);
  const opts = { cause };

  if (name === 'AbortError' || code === 'ABORT_ERR') return new CancelledError('Cancelled', opts);

  if (code === 'ContainerNotFound') return new ContainerNotFoundError(`The container "${ctx.container ?? '?'}" does not exist in az://${ctx.account}.`, opts);
  if (code === 'BlobNotFound' || (status === 404 && ctx.key !== undefined)) {
    return new NotFoundError(`${where(ctx)} was not found.`, opts);
  }
  if (status === 404) return new NotFoundError(`${where(ctx)} was not found.`, opts);

  if (AUTH_CODES.has(code) || status === 401) {
    return new AccessDeniedError(`Access to ${where(ctx)} was denied. The key was rejected: check the account key or SAS in Accounts.`, opts);
  }
  if (status === 403) {
    return new AccessDeniedError(
      `Access to ${where(ctx)} was denied (${code || 'forbidden'}). The key was rejected: check the account key or SAS (its permissions, expiry and scope) in Accounts.`,
      opts,
    );
  }

  if (code === 'ServerBusy' || status === 503 || status === 429) {
    const wait = retryAfterMs(err);
    return new ThrottledError(`Azure is throttling requests to ${where(ctx)}; retrying later.`, { cause, ...(wait === undefined ? {} : { retryAfterMs: wait }) });
  }
  if (status !== undefined && status >= 500) return new RetryableError(`Azure failed on ${where(ctx)} (${status} ${code}): ${detail}`, opts);

  if (status === undefined && (NETWORK_CODES.has(code) || /ECONNREFUSED|ECONNRESET|socket hang up|ETIMEDOUT|ENOTFOUND/i.test(detail))) {
    const why = /ECONNREFUSED/.test(code + detail) ? 'connection refused' : code || 'network error';
    return new RetryableError(`Cannot reach the Azure endpoint ${ctx.endpoint} (${why}): check that it is running and that the address is right.`, opts);
  }

  if (CONFLICT_CODES.has(code) || status === 409 || status === 412) {
    if (code === 'BlobArchived') return new ConflictError(`${where(ctx)} is in the Archive tier: rehydrate it to Hot or Cool before reading it.`, opts);
    return new ConflictError(`${where(ctx)}: ${detail || code}`, opts);
  }
  if (INPUT_CODES.has(code) || status === 416) return new InvalidInputError(`Azure refused the request for ${where(ctx)} (${code || status}): ${detail}`, opts);

  return new FatalError(`Azure request for ${where(ctx)} failed (${status ?? ''} ${code || name}): ${detail}`.replace(/\(\s+/, '('), opts);
}
