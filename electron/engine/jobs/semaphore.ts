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
    const hold = await this.hold(signal, amount);
    return () => hold.release();
  }

  /**
   * Takes `amount` units (waiting in order, as acquire does) as a hold that may give units back before it is
   * released, and take some back without waiting (Hold).
   */
  async hold(signal?: AbortSignal, amount = 1): Promise<Hold> {
    if (signal?.aborted) throw new CancelledError();
    const take = Math.max(0, Math.min(amount, this.cap));
    if (this.waiters.length === 0 && this.available >= take) {
      this.available -= take;
      return this.holdOf(take);
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
    return this.holdOf(take);
  }

  private serve(): void {
    for (let next = this.waiters[0]; next && this.available >= next.amount; next = this.waiters[0]) {
      this.waiters.shift();
      this.available -= next.amount;
      next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve();
    }
  }

  private holdOf(amount: number): Hold {
    let held = amount;
    let released = false;
    return {
      held: () => held,
      shrinkTo: (units) => {
        const keep = Math.max(0, Math.min(held, units));
        if (released || keep === held) return;
        this.available += held - keep;
        held = keep;
        this.serve();
      },
      tryGrowTo: (units) => {
        const want = Math.min(units, this.cap) - held;
        // Only what nobody waits for: a hold never queues, so it never waits on one that waits for it.
        if (released || want <= 0 || this.waiters.length > 0 || this.available <= 0) return held;
        const take = Math.min(want, this.available);
        this.available -= take;
        held += take;
        return held;
      },
      release: () => {
        if (released) return;
        released = true;
        this.available += held;
        held = 0;
        this.serve();
      },
    };
  }
}

/** Units taken from a Semaphore, some of which may go back before the rest (Semaphore.hold). */
export interface Hold {
  /** Units held now. */
  held(): number;
  /** Gives back all but `units` (never more than are held): those waiting are served at once. */
  shrinkTo(units: number): void;
  /**
   * Takes units back up to `units` held, only from what is free now and only while nobody waits: it never waits,
   * and never goes ahead of a waiter. Answers what is held after (perhaps less than asked).
   */
  tryGrowTo(units: number): number;
  /** Gives back everything; later calls do nothing. */
  release(): void;
}
