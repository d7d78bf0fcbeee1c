import { CancelledError, type SkyferryError } from '../../../../shared/errors';

/** A request is never started for a caller that has cancelled. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * Runs one provider request: not started under an aborted signal, and whatever it throws leaves as a project error
 * (`toError`, the provider's own error mapping), or as CancelledError once the signal has aborted, whatever the SDK
 * made of the abort. Every provider's requests go through it.
 */
export async function guarded<T>(signal: AbortSignal | undefined, toError: (err: unknown) => SkyferryError, work: () => Promise<T>): Promise<T> {
  throwIfCancelled(signal);
  try {
    return await work();
  } catch (err) {
    const mapped = toError(err);
    throw signal?.aborted && mapped.code !== 'cancelled' ? new CancelledError('Cancelled', { cause: mapped }) : mapped;
  }
}

/** Rejects with CancelledError as soon as the signal aborts, for SDK promises that take no signal. */
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
