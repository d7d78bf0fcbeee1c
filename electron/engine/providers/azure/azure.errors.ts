import { AccessDeniedError, CancelledError, ConflictError, FatalError, InvalidInputError, NotFoundError, RetryableError, SkyferryError, ThrottledError } from '../../../../shared/errors';
import { isAbortError, networkCodeOf, responseHeader, retryAfterOf, serviceMessage } from '../common/errors';

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
  /** Signed in with Microsoft Entra ID: a refusal is about the identity's roles, not a key. */
  identity?: boolean;
}

/** What a refused Microsoft Entra identity needs, in the words of Azure's role names. */
const ROLE_ADVICE =
  'The Microsoft Entra identity you signed in with has no data access here: assign it the role "Storage Blob Data Reader" (to browse and download) or "Storage Blob Data Contributor" (to upload, copy and delete) on the storage account or container, in Access control (IAM). Role changes take a few minutes to apply.';

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

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

function shape(e: unknown): SdkErrorShape {
  return typeof e === 'object' && e !== null ? (e as SdkErrorShape) : {};
}

function where(ctx: AzureErrorContext): string {
  if (ctx.container && ctx.key !== undefined) return `az://${ctx.account}/${ctx.container}/${ctx.key}`;
  if (ctx.container) return `az://${ctx.account}/${ctx.container}`;
  return `az://${ctx.account}`;
}

/** The project's error for any failure of an Azure call. Never keeps the SDK error (it holds URLs and headers). */
export function toAzureError(e: unknown, ctx: AzureErrorContext): SkyferryError {
  if (e instanceof SkyferryError) return e;
  const err = shape(e);
  const name = typeof err.name === 'string' ? err.name : '';
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  // HEAD responses have no body: Azure still names the error in a header.
  const code = (typeof err.code === 'string' && err.code) || responseHeader(e, 'x-ms-error-code') || '';
  // The SDK quotes request URLs (a SAS in their query) and headers: only Azure's own first sentence is kept.
  const detail = serviceMessage(typeof err.message === 'string' ? err.message : String(e));
  const cause = new Error(`Azure ${status ?? 'network'} ${code || name}: ${detail}`);
  const opts = { cause };

  if (isAbortError(e)) return new CancelledError('Cancelled', opts);

  if (code === 'ContainerNotFound') return new ContainerNotFoundError(`The container "${ctx.container ?? '?'}" does not exist in az://${ctx.account}.`, opts);
  if (code === 'BlobNotFound' || (status === 404 && ctx.key !== undefined)) {
    return new NotFoundError(`${where(ctx)} was not found.`, opts);
  }
  if (status === 404) return new NotFoundError(`${where(ctx)} was not found.`, opts);

  if (ctx.identity && (AUTH_CODES.has(code) || status === 401 || status === 403)) {
    return new AccessDeniedError(`Access to ${where(ctx)} was denied (${code || status || 'forbidden'}). ${ROLE_ADVICE}`, opts);
  }
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
    const wait = retryAfterOf(e);
    return new ThrottledError(`Azure is throttling requests to ${where(ctx)}; retrying later.`, { cause, ...(wait === undefined ? {} : { retryAfterMs: wait }) });
  }
  if (status !== undefined && status >= 500) return new RetryableError(`Azure failed on ${where(ctx)} (${status} ${code}): ${detail}`, opts);

  const net = status === undefined ? networkCodeOf(e) : undefined;
  if (net) {
    const why = net === 'ECONNREFUSED' || /ECONNREFUSED/.test(detail) ? 'connection refused' : net;
    return new RetryableError(`Cannot reach the Azure endpoint ${ctx.endpoint} (${why}): check that it is running and that the address is right.`, opts);
  }

  if (CONFLICT_CODES.has(code) || status === 409 || status === 412) {
    if (code === 'BlobArchived') return new ConflictError(`${where(ctx)} is in the Archive tier: rehydrate it to Hot or Cool before reading it.`, opts);
    return new ConflictError(`${where(ctx)}: ${detail || code}`, opts);
  }
  if (INPUT_CODES.has(code) || status === 416) return new InvalidInputError(`Azure refused the request for ${where(ctx)} (${code || status}): ${detail}`, opts);

  return new FatalError(`Azure request for ${where(ctx)} failed (${status ?? ''} ${code || name}): ${detail}`.replace(/\(\s+/, '('), opts);
}
