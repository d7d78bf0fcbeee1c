import { z } from 'zod';
import { redact } from './redact';

/**
 * Every failure that crosses a layer is one of these codes. Providers turn SDK errors into them (as rclone's
 * fserrors does), so nothing above a provider knows an SDK. The transfer engine retries `throttled` and
 * `retryable`, and fails fast on the rest.
 */
export const ErrorCodeSchema = z.enum([
  'not_found',
  'access_denied',
  'throttled',
  'retryable',
  'fatal',
  'invalid_input',
  'conflict',
  'cancelled',
  'checksum_mismatch',
  'unsupported',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorInfoSchema = z.object({ code: ErrorCodeSchema, message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

export class SkyferryError extends Error {
  override readonly name: string = 'SkyferryError';
  readonly code: ErrorCode;
  /** For `throttled`: how long the server asked us to wait (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
  }

  get retryable(): boolean {
    return this.code === 'throttled' || this.code === 'retryable' || this.code === 'checksum_mismatch';
  }

  /** What may cross to the renderer: the code and the message, redacted (see toErrorInfo). */
  toInfo(): ErrorInfo {
    return { code: this.code, message: redact(this.message) };
  }
}

export class NotFoundError extends SkyferryError {
  override readonly name = 'NotFoundError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', message, options);
  }
}

export class AccessDeniedError extends SkyferryError {
  override readonly name = 'AccessDeniedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('access_denied', message, options);
  }
}

export class ThrottledError extends SkyferryError {
  override readonly name = 'ThrottledError';
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('throttled', message, options);
  }
}

export class RetryableError extends SkyferryError {
  override readonly name = 'RetryableError';
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('retryable', message, options);
  }
}

export class FatalError extends SkyferryError {
  override readonly name = 'FatalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('fatal', message, options);
  }
}

export class InvalidInputError extends SkyferryError {
  override readonly name = 'InvalidInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_input', message, options);
  }
}

export class ConflictError extends SkyferryError {
  override readonly name = 'ConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

export class CancelledError extends SkyferryError {
  override readonly name = 'CancelledError';
  constructor(message = 'Cancelled', options?: { cause?: unknown }) {
    super('cancelled', message, options);
  }
}

export class ChecksumMismatchError extends SkyferryError {
  override readonly name = 'ChecksumMismatchError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('checksum_mismatch', message, options);
  }
}

export class UnsupportedError extends SkyferryError {
  override readonly name = 'UnsupportedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('unsupported', message, options);
  }
}

export function isSkyferryError(e: unknown): e is SkyferryError {
  return e instanceof SkyferryError;
}

/**
 * Any thrown value as the `{ code, message }` that may cross to the renderer: no stack, no cause, and the message
 * redacted like a log line, whoever wrote it (a provider's mapper, a fallback that quotes an SDK's words, any other
 * layer). Anything that is not one of ours says only that something unexpected happened.
 */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof SkyferryError) return e.toInfo();
  return { code: 'fatal', message: 'An unexpected error occurred; see the log for details.' };
}
