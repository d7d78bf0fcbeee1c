import { CancelledError, isSkyferryError, RetryableError, SkyferryError } from '../../../shared/errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Any thrown value as a SkyferryError. Providers classify SDK errors already; what reaches here raw comes from a
 * stream between them (a socket reset mid-body), which is transient.
 */
export function classify(e: unknown): SkyferryError {
  if (isSkyferryError(e)) return e;
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  if (e instanceof Error && e.name === 'AbortError') return new CancelledError();
  if (TRANSIENT_CODES.has(code)) return new RetryableError(`Connection problem (${code}); retrying`, { cause: e });
  return new SkyferryError('fatal', e instanceof Error ? e.message : 'Unexpected failure', { cause: e });
}

/** Full-jitter exponential backoff (AWS's recommendation), never shorter than what the server asked for. */
export function backoffDelay(policy: RetryPolicy, failedAttempts: number, err: SkyferryError, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  const jittered = Math.round(random() * cap);
  return Math.max(jittered, err.retryAfterMs ?? 0);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryHooks {
  signal?: AbortSignal;
  /** Called before each wait, e.g. to roll back the failed attempt's bytes and log. */
  onRetry?: (err: SkyferryError, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/**
 * Runs `fn` until it succeeds, retrying only errors that say they are retryable (throttling, transient network,
 * checksum mismatch). Access denied, not found and invalid input fail at once: a retry storm against a rejected
 * key helps nobody.
 */
export async function withRetry<T>(policy: RetryPolicy, fn: (attempt: number) => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (raw) {
      const err = hooks.signal?.aborted ? new CancelledError() : classify(raw);
      if (!err.retryable || attempt >= policy.maxAttempts) throw err;
      const delay = backoffDelay(policy, attempt, err, hooks.random);
      hooks.onRetry?.(err, attempt, delay);
      await sleep(delay, hooks.signal);
    }
  }
}
