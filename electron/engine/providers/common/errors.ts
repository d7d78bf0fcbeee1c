/**
 * What every provider's error mapping shares: reading an SDK error of any shape, the network failure under it, the
 * Retry-After of its response, and the service's own words made fit for a message. The mapping to the project's
 * error classes stays in each provider (s3.errors.ts, gcs.errors.ts, azure.errors.ts, local.errors.ts).
 */
import { RetryableError, SkyferryError } from '../../../../shared/errors';
import { redact } from '../../log';

/** Socket-level failures worth a retry (the request may not have reached the server, or its answer was lost). */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  // Azure's HTTP pipeline, for a request that could not be sent.
  'REQUEST_SEND_ERROR',
]);

/** The codes an SDK may keep only in a message's text. */
const CODE_IN_TEXT = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/;

/** A property of a thrown value of any shape (SDK errors are plain objects of many kinds), if it has one. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The value's `code` when it is a non-empty string: Node's errno codes, most SDKs' error codes. */
export function codeOf(value: unknown): string | undefined {
  const code = field(value, 'code');
  return typeof code === 'string' && code ? code : undefined;
}

/** An aborted request, as Node and the SDKs report one. */
export function isAbortError(err: unknown): boolean {
  return field(err, 'name') === 'AbortError' || field(err, 'code') === 'ABORT_ERR';
}

/**
 * The socket-level failure under an error, as its code: found on the error, down its `cause` chain, inside an
 * AggregateError's `errors` (a connection tried on several addresses), or named in a message where an SDK kept only
 * the text ("socket hang up" is Node's reset). Undefined when the failure is not the network's.
 */
export function networkCodeOf(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof err !== 'object' || err === null) return undefined;
  const code = field(err, 'code') ?? field(err, 'errno');
  if (typeof code === 'string' && NETWORK_CODES.has(code.toUpperCase())) return code.toUpperCase();
  const message = field(err, 'message');
  if (typeof message === 'string') {
    const named = CODE_IN_TEXT.exec(message)?.[1];
    if (named) return named;
    if (/socket hang up|other side closed/i.test(message)) return 'ECONNRESET';
  }
  const errors = field(err, 'errors');
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = networkCodeOf(inner, depth + 1);
      if (found) return found;
    }
  }
  return networkCodeOf(field(err, 'cause'), depth + 1);
}

/**
 * A header of the HTTP response an SDK error carries: `$response` (AWS) or `response` (Google, Azure), whose
 * headers are a Headers-like object with get() or a plain record of lowercase names.
 */
export function responseHeader(err: unknown, name: string): string | undefined {
  for (const response of [field(err, '$response'), field(err, 'response')]) {
    const headers = field(response, 'headers');
    if (!headers) continue;
    let value: unknown;
    try {
      const get = field(headers, 'get');
      value = typeof get === 'function' ? (get as (n: string) => unknown).call(headers, name) : field(headers, name);
    } catch {
      value = undefined;
    }
    if ((typeof value === 'string' && value) || typeof value === 'number') return String(value);
  }
  return undefined;
}

/** Retry-After is either seconds or an HTTP date; returns milliseconds from `now`, never negative. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** How long the service asked to wait (the Retry-After of the error's response), in milliseconds. */
export function retryAfterOf(err: unknown): number | undefined {
  return parseRetryAfter(responseHeader(err, 'retry-after'));
}

/** Longest piece of a service's own message that an error message quotes. */
const MAX_QUOTED = 300;

/**
 * A service's or an SDK's own words, fit for an error message: the first line only (SDKs append the request),
 * no URL (a signed one is a credential), everything the log redacts redacted, at most 300 characters.
 */
export function serviceMessage(text: string): string {
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  const safe = redact(firstLine.replace(/https?:\/\/\S+/gi, '<url>')).trim();
  return safe.length > MAX_QUOTED ? `${safe.slice(0, MAX_QUOTED)}…` : safe;
}

/**
 * A put's source failed while it was read (usually another cloud or a disk dropping the read): worth a retry, and
 * nothing was stored. A project error (another provider's own, a cancel) stays what it is.
 */
export function sourceFailure(err: unknown, what: string): SkyferryError {
  if (err instanceof SkyferryError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new RetryableError(`Reading the source of ${what} failed: ${serviceMessage(detail)}; nothing was stored`, { cause: err });
}
