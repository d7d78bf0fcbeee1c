import { AccessDeniedError, CancelledError, ConflictError, FatalError, InvalidInputError, NotFoundError, RetryableError, SkyferryError, ThrottledError } from '../../../../shared/errors';
import { field, isAbortError, networkCodeOf, retryAfterOf, serviceMessage } from '../common/errors';

/** What a failed call was about, so that the message names it the way the user sees it (gs://account/bucket/key). */
export interface GcsErrorContext {
  /** e.g. `gs://prod/photos/a.jpg`. */
  what: string;
  /** The service URL, named when nothing answers there. */
  endpoint: string;
  /** True for a bucket delete, where 409 means "not empty". */
  bucketDelete?: boolean;
  signal?: AbortSignal;
}


/** The HTTP status of an SDK (ApiError / GaxiosError) failure, if it had one. */
function statusOf(err: unknown): number | undefined {
  const code = field(err, 'code');
  if (typeof code === 'number' && code >= 100 && code < 600) return code;
  if (typeof code === 'string' && /^\d{3}$/.test(code)) return Number(code);
  const response = field(err, 'response');
  const status = field(response, 'statusCode') ?? field(response, 'status');
  return typeof status === 'number' ? status : undefined;
}

/** The server's own words, made safe to show (serviceMessage), in parentheses; nothing when it said nothing. */
function serverSays(err: unknown): string {
  const message = field(err, 'message');
  if (typeof message !== 'string' || !message.trim()) return '';
  return ` (${serviceMessage(message)})`;
}

/**
 * Turns whatever the GCS SDK (or the network under it) threw into the project's error classes, so nothing above the
 * provider knows the SDK. The cause is kept for the log (which redacts); messages carry no secret.
 */
export function toGcsError(err: unknown, ctx: GcsErrorContext): SkyferryError {
  if (err instanceof SkyferryError) return err;
  if (ctx.signal?.aborted || isAbortError(err)) return new CancelledError('Cancelled', { cause: err });
  const status = statusOf(err);
  if (status === undefined) {
    const net = networkCodeOf(err);
    if (net === 'ECONNREFUSED') {
      return new RetryableError(`Nothing answered at ${ctx.endpoint} (connection refused): check the endpoint and that the service is running`, { cause: err });
    }
    if (net) return new RetryableError(`The connection to ${ctx.endpoint} failed (${net}) while working on ${ctx.what}; it will be retried`, { cause: err });
    return new FatalError(`Google Cloud Storage failed on ${ctx.what}${serverSays(err)}`, { cause: err });
  }
  switch (status) {
    case 404:
      return new NotFoundError(`${ctx.what} was not found`, { cause: err });
    case 401:
    case 403:
      return new AccessDeniedError(`The credentials were rejected for ${ctx.what}: check the service-account key${serverSays(err)}`, { cause: err });
    case 409:
      if (ctx.bucketDelete) return new ConflictError(`${ctx.what} is not empty: remove its objects first`, { cause: err });
      return new ConflictError(`${ctx.what} already exists or is in use${serverSays(err)}`, { cause: err });
    case 412:
      return new ConflictError(`${ctx.what} changed meanwhile; try again`, { cause: err });
    case 400:
    case 411:
    case 413:
    case 416:
      return new InvalidInputError(`Google Cloud Storage refused the request for ${ctx.what}${serverSays(err)}`, { cause: err });
    case 408:
      return new RetryableError(`Google Cloud Storage timed out on ${ctx.what}; it will be retried`, { cause: err });
    case 429:
    case 503: {
      const wait = retryAfterOf(err);
      return new ThrottledError(`Google Cloud Storage asked to slow down on ${ctx.what}; it will be retried`, { cause: err, ...(wait === undefined ? {} : { retryAfterMs: wait }) });
    }
    default:
      if (status >= 500) return new RetryableError(`Google Cloud Storage had a server error (${status}) on ${ctx.what}; it will be retried`, { cause: err });
      return new FatalError(`Google Cloud Storage refused ${ctx.what} (HTTP ${status})${serverSays(err)}`, { cause: err });
  }
}
