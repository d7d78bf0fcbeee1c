import { CancelledError } from '../../../shared/errors';

interface Waiter {
  amount: number;
  resolve: () => void;
  reject: (e: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A counting semaphore whose waiters can be aborted (a paused job must not hold its place in the queue). Units
 * may be weighted (a budget of bytes): waiters are served in order, so a large request is not starved by small
 * ones; a request larger than the whole capacity is clamped to it, so it still runs, alone.
 */
export class Semaphore {
  private available: number;
  private readonly waiters: Waiter[] = [];
  private cap: number;

  constructor(capacity: number) {
    this.cap = capacity;
    this.available = capacity;
  }

  get capacity(): number {
    return this.cap;
  }

  /**
   * Changes the capacity (an adaptive limit). Units already taken stay taken: a smaller capacity admits no one
   * until enough of them come back; a larger one serves waiters at once.
   */
  resize(capacity: number): void {
    const next = Math.max(1, capacity);
    if (next === this.cap) return;
    this.available += next - this.cap;
    this.cap = next;
    this.serve();
  }

  /** Units taken right now (tests and diagnostics). */
  get inUse(): number {
    return this.cap - this.available;
  }

  async acquire(signal?: AbortSignal, amount = 1): Promise<() => void> {
    if (signal?.aborted) throw new CancelledError();
    const take = Math.max(0, Math.min(amount, this.cap));
    if (this.waiters.length === 0 && this.available >= take) {
      this.available -= take;
      return this.releaser(take);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        amount: take,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i !== -1) this.waiters.splice(i, 1);
          reject(new CancelledError());
          // The one that left may have been blocking smaller requests behind it.
          this.serve();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
    return this.releaser(take);
  }

  private serve(): void {
    for (let next = this.waiters[0]; next && this.available >= next.amount; next = this.waiters[0]) {
      this.waiters.shift();
      this.available -= next.amount;
      next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve();
    }
  }

  private releaser(amount: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += amount;
      this.serve();
    };
  }
}
