import type { PartWindow } from '../provider';

/**
 * Runs `fn` over `items` with at most `limit` calls at once, taking the items in order; the results come back in
 * the items' order. After the first failure no new call starts, and the pool rejects with that failure only once
 * every call in flight has settled, so nothing it started (a part, a delete) is still running when it returns.
 * (p-limit and p-map reject at once and leave the other calls running, which an upload's cleanup cannot have.)
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * Requests that a producer starts one at a time as it reads (the parts of a stream, which cannot be listed up front),
 * at most `limit` at once. The first failure is kept, and `room()`, `drain()` and `check()` throw it so that nothing
 * new starts after it; `onError` hears every failure as it happens (to cut the other requests). `settle()` waits for
 * every request whatever became of it, so that a cleanup never races one still running.
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  private readonly limit: number;

  constructor(
    limit: number,
    private readonly onError?: (error: unknown) => void,
    /** The caller's window (PutOptions.parts): fewer at once while it says so, never more than `limit`. */
    private readonly window?: PartWindow,
  ) {
    this.limit = Math.max(1, limit);
  }

  /** Requests that may be in flight now. */
  private get allowed(): number {
    return this.window ? Math.max(1, Math.min(this.limit, this.window.limit())) : this.limit;
  }

  start(work: () => Promise<unknown>): void {
    let started: Promise<unknown>;
    const t0 = performance.now();
    try {
      started = work();
    } catch (error) {
      started = Promise.reject(error);
    }
    const request: Promise<void> = started
      .then(
        () => this.window?.onPart?.(performance.now() - t0, this.running.size),
        (error: unknown) => {
          this.failure ??= { error };
          this.onError?.(error);
        },
      )
      .finally(() => this.running.delete(request));
    this.running.add(request);
  }

  /** Throws the first failure, if there was one. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Waits until another request may start; throws the first failure. */
  async room(): Promise<void> {
    while (this.running.size >= this.allowed) await Promise.race(this.running);
    this.check();
  }

  /** Waits for every request; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.check();
  }

  /** Waits for every request to settle; never throws. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
