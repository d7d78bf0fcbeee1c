import { Transform, type TransformCallback } from 'node:stream';

/**
 * Byte accounting, as rclone's accounting does it: bytes are counted where they pass (a wrapping stream or a
 * provider's onProgress), per attempt, so that an attempt that fails gives its bytes back before the retry
 * counts them again. The job's total is never higher than the bytes that really reached the destination once.
 */
export class ByteCounter {
  private done = 0;
  private readonly rate: RateMeter;

  constructor(now: () => number = Date.now, windowMs = 5000) {
    this.rate = new RateMeter(now, windowMs);
  }

  get bytesDone(): number {
    return this.done;
  }

  /** Starts counting one attempt at one file. */
  attempt(): AttemptCounter {
    return new AttemptCounter((delta) => this.add(delta));
  }

  /** Bytes already finished in an earlier run (restored from the journal). */
  restore(bytes: number): void {
    this.done += bytes;
  }

  bytesPerSecond(): number {
    return this.rate.perSecond();
  }

  /** Seconds left at the current speed; null while the speed is unknown. */
  etaSeconds(bytesTotal: number): number | null {
    const speed = this.rate.perSecond();
    if (speed <= 0) return bytesTotal <= this.done ? 0 : null;
    return Math.max(0, Math.ceil((bytesTotal - this.done) / speed));
  }

  private add(delta: number): void {
    this.done += delta;
    // A rollback is not negative speed: the meter only sees forward progress.
    if (delta > 0) this.rate.add(delta);
  }
}

export class AttemptCounter {
  private counted = 0;
  private closed = false;

  constructor(private readonly sink: (delta: number) => void) {}

  get bytes(): number {
    return this.counted;
  }

  add(n: number): void {
    if (this.closed || n <= 0) return;
    this.counted += n;
    this.sink(n);
  }

  /** Sets the attempt's count to an absolute value (a provider's onProgress reports totals, not deltas). */
  set(total: number): void {
    if (total > this.counted) this.add(total - this.counted);
  }

  /** The attempt failed: its bytes leave the job's total so that the retry does not count them twice. */
  rollback(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.counted > 0) this.sink(-this.counted);
    this.counted = 0;
  }

  /** The attempt finished: make sure exactly `size` bytes are counted (a server-side copy reports none). */
  complete(size: number): void {
    if (this.closed) return;
    this.set(size);
    this.closed = true;
  }
}

/** Speed over a rolling window of samples, so a stall shows as a falling speed instead of a frozen one. */
export class RateMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private startedAt: number | undefined;

  constructor(
    private readonly now: () => number,
    private readonly windowMs: number,
  ) {}

  add(bytes: number): void {
    const at = this.now();
    this.startedAt ??= at;
    const last = this.samples[this.samples.length - 1];
    // Merge samples within 100 ms: a fast stream of small chunks must not grow the array without bound.
    if (last && at - last.at < 100) last.bytes += bytes;
    else this.samples.push({ at, bytes });
    this.trim(at);
  }

  perSecond(): number {
    const at = this.now();
    this.trim(at);
    if (this.samples.length === 0 || this.startedAt === undefined) return 0;
    const total = this.samples.reduce((s, x) => s + x.bytes, 0);
    // Young transfers divide by their age, not the whole window, or the first seconds would read far too slow.
    const span = Math.min(this.windowMs, Math.max(at - this.startedAt, 250));
    return (total * 1000) / span;
  }

  private trim(at: number): void {
    while (this.samples.length > 0 && (this.samples[0]?.at ?? at) < at - this.windowMs) this.samples.shift();
  }
}

/** A pass-through stream that reports every chunk's length. */
export function countingStream(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}
