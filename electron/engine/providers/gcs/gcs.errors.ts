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
import { redact } from '../../log';
import { NETWORK_CODES, parseRetryAfter } from '../http-errors';

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


function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
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

/** A network-level code (ECONNREFUSED, ...) found on the error or anywhere down its cause chain. */
function networkCodeOf(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && cur; depth++) {
    const code = field(cur, 'code') ?? field(cur, 'errno');
    if (typeof code === 'string' && NETWORK_CODES.has(code.toUpperCase())) return code.toUpperCase();
    const message = field(cur, 'message');
    if (typeof message === 'string') {
      const m = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/.exec(message);
      if (m?.[1]) return m[1];
      if (/socket hang up|other side closed/i.test(message)) return 'ECONNRESET';
    }
    cur = field(cur, 'cause');
  }
  return undefined;
}

function retryAfterMs(err: unknown): number | undefined {
  const headers = field(field(err, 'response'), 'headers');
  let raw: unknown;
  if (headers && typeof (headers as { get?: unknown }).get === 'function') raw = (headers as Headers).get('retry-after');
  else raw = field(headers, 'retry-after');
  return parseRetryAfter(raw);
}

/** The server's own words, redacted and kept short; never a token or key even if one leaked into the text. */
function serverSays(err: unknown): string {
  const message = field(err, 'message');
  if (typeof message !== 'string' || !message.trim()) return '';
  const short = message.length > 300 ? `${message.slice(0, 300)}…` : message;
  return ` (${redact(short)})`;
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  const name = field(err, 'name');
  return name === 'AbortError' || field(err, 'code') === 'ABORT_ERR';
}

/**
 * Turns whatever the GCS SDK (or the network under it) threw into the project's error classes, so nothing above the
 * provider knows the SDK. The cause is kept for the log (which redacts); messages carry no secret.
 */
export function toGcsError(err: unknown, ctx: GcsErrorContext): SkyferryError {
  if (err instanceof SkyferryError) return err;
  if (isAbort(err, ctx.signal)) return new CancelledError('Cancelled', { cause: err });
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
      const wait = retryAfterMs(err);
      return new ThrottledError(`Google Cloud Storage asked to slow down on ${ctx.what}; it will be retried`, { cause: err, ...(wait === undefined ? {} : { retryAfterMs: wait }) });
    }
    default:
      if (status >= 500) return new RetryableError(`Google Cloud Storage had a server error (${status}) on ${ctx.what}; it will be retried`, { cause: err });
      return new FatalError(`Google Cloud Storage refused ${ctx.what} (HTTP ${status})${serverSays(err)}`, { cause: err });
  }
}

/** Rejects with CancelledError as soon as the signal aborts (the SDK's promises take no signal). */
export function abortable<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new CancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
