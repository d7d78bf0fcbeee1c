import { throttleCount } from './throttle-watch';

/**
 * How many requests of one kind may be in flight, found from what they see instead of set by the user (after
 * Netflix's concurrency-limits "Gradient2", itself after TCP Vegas): each completed request reports its latency;
 * a long-term average of it stands for the latency with no queue, a short-term average for now. While the short
 * one holds near the long one the link is not queueing, so the limit grows by a small queue allowance; when it
 * rises, the limit shrinks in proportion. A throttle answer from any service (503 SlowDown, 429, Azure
 * ServerBusy: throttle-watch.ts) cuts it by a quarter at once. The limit never leaves [min, max]: `max` is the
 * cap a user or the memory budget sets.
 *
 * No npm package does this for promises in Node (p-limit and its kin take a fixed count), so it is written here:
 * a hundred lines with no timers, driven only by the samples and the throttle count.
 */
export interface AdaptiveLimitOptions {
  initial: number;
  min: number;
  max: number;
}

/** Weight of a new sample in the long-term latency (about the last 100 samples). */
const LONG_WEIGHT = 2 / 101;
/** Weight of a new sample in the short-term latency (about the last 5). */
const SHORT_WEIGHT = 2 / 6;
/** How far the short-term latency may rise above the long-term one before the limit shrinks. */
const TOLERANCE = 1.5;
/** How much of each new estimate the limit takes (the rest is the old limit): damps the swings. */
const SMOOTHING = 0.2;
/** A throttle answer keeps this share of the limit. */
const BACKOFF = 0.75;

export class AdaptiveLimit {
  private value: number;
  private longMs = 0;
  private shortMs = 0;
  private seenThrottles: number;
  /** Samples to skip after a cut: those of requests that started under the old limit. */
  private settle = 0;
  private readonly listeners = new Set<(limit: number) => void>();

  constructor(readonly options: AdaptiveLimitOptions) {
    this.value = clamp(options.initial, options.min, options.max);
    this.seenThrottles = throttleCount();
  }

  /** The whole number of requests that may be in flight now. */
  get limit(): number {
    this.checkThrottles();
    return Math.floor(this.value);
  }

  /** Told each time the whole-number limit changes. Returns the way to stop listening. */
  onChange(listener: (limit: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A request that completed, its latency in ms (normalised by the caller to comparable units: per part, per
   * small file) and how many were in flight when it ended, itself included.
   */
  sample(ms: number, inFlight: number): void {
    this.checkThrottles();
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    if (this.longMs === 0) this.longMs = this.shortMs = ms;
    this.longMs += (ms - this.longMs) * LONG_WEIGHT;
    this.shortMs += (ms - this.shortMs) * SHORT_WEIGHT;
    // After a long spell of high latency (a slower link), the long-term figure catches up faster.
    if (this.longMs / this.shortMs > 2) this.longMs *= 0.95;
    if (this.settle > 0) {
      this.settle--;
      return;
    }
    const gradient = clamp((TOLERANCE * this.longMs) / this.shortMs, 0.5, 1);
    // Far fewer in flight than allowed: nothing to learn about a larger limit; only a smaller one is believed.
    if (gradient === 1 && inFlight < this.value / 2) return;
    const queue = Math.max(1, Math.sqrt(this.value));
    const estimate = this.value * gradient + queue;
    this.set(this.value * (1 - SMOOTHING) + estimate * SMOOTHING);
  }

  /** A request of this limit's own was throttled (the caller saw the error): the same cut as a throttle answer. */
  throttled(): void {
    this.cut();
  }

  private checkThrottles(): void {
    const now = throttleCount();
    if (now === this.seenThrottles) return;
    this.seenThrottles = now;
    this.cut();
  }

  /** At most one cut per round of requests: throttles answered to requests sent before the last cut are not counted again. */
  private cut(): void {
    if (this.settle > 0) return;
    this.set(this.value * BACKOFF);
    this.settle = Math.floor(this.value);
  }

  private set(value: number): void {
    const before = Math.floor(this.value);
    this.value = clamp(value, this.options.min, this.options.max);
    const after = Math.floor(this.value);
    if (after !== before) for (const l of this.listeners) l(after);
  }
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}
