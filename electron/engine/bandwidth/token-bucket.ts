/**
 * A token bucket whose rate can change while streams wait on it: `take(n)` resolves once n bytes may pass. Tokens
 * fill at `rate` bytes per second up to a burst of a tenth of a second's worth (at least 16 KiB), so a rate holds
 * within a few percent over seconds. A waiter re-checks at least every 100 ms, so a new rate applies at once to
 * transfers already running. `null` is no limit: every take resolves at once.
 *
 * Written here rather than taken from npm: the stream throttles there (stream-throttle, speed-limiter, throttle)
 * take one group per stream and fix the rate at creation, and `limiter`'s TokenBucket has no rate change; a byte
 * here passes several buckets (all transfers, its job; upload and download) whose rates change while they wait.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

const MIN_BURST = 16 * 1024;
const RECHECK_MS = 100;

export class TokenBucket {
  private tokens = 0;
  private last: number;
  private rateValue: number | null;
  /** Waiters go one after another, so a large take does not starve behind many small ones. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    rate: number | null,
    private readonly clock: Clock = realClock,
  ) {
    this.rateValue = rate;
    this.last = clock.now();
    this.tokens = this.burst;
  }

  get rate(): number | null {
    return this.rateValue;
  }

  set rate(rate: number | null) {
    this.refill();
    this.rateValue = rate;
    this.tokens = Math.min(this.tokens, this.burst);
  }

  private get burst(): number {
    return this.rateValue === null ? Infinity : Math.max(MIN_BURST, this.rateValue / 10);
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.rateValue !== null) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rateValue);
    this.last = now;
  }

  /** Resolves when `n` bytes may pass (at once when there is no limit); rejects when `signal` aborts. */
  take(n: number, signal?: AbortSignal): Promise<void> {
    if (this.rateValue === null) return Promise.resolve();
    const turn = this.queue.then(() => this.wait(n, signal));
    // The next waiter goes after this one whether it passed or was aborted.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async wait(n: number, signal: AbortSignal | undefined): Promise<void> {
    let left = n;
    for (;;) {
      this.refill();
      const rate = this.rateValue;
      if (rate === null) return;
      // A take larger than the burst passes in burst-sized steps.
      const step = Math.min(left, this.burst);
      if (this.tokens >= step) {
        this.tokens -= step;
        left -= step;
        if (left <= 0) return;
        continue;
      }
      const ms = Math.ceil(((step - this.tokens) / rate) * 1000);
      await this.clock.sleep(Math.min(Math.max(ms, 1), RECHECK_MS), signal);
    }
  }
}
