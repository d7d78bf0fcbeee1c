import { PassThrough, type Readable } from 'node:stream';
import { RetryableError } from '../../../shared/errors';

/** How long a source may send nothing while its reader waits for bytes before the attempt is called stalled. */
export const DEFAULT_STALL_MS = 60_000;

/**
 * Passes `source` through and fails it with a RetryableError when it sends nothing for `stallMs` while the reader
 * is waiting for bytes: a connection that stays open but stopped delivering (a dead peer behind a NAT, a stuck
 * proxy) would otherwise hold its file, and its job, forever, since no SDK times out a response body that is
 * merely silent. Time the reader spends not reading (backpressure from a slow destination) does not count.
 */
export function watchStall(source: Readable, stallMs: number, what: string): Readable {
  const out = new PassThrough();
  let last = Date.now();
  const seen = (): void => {
    last = Date.now();
  };
  const timer = setInterval(() => {
    // Waiting on the reader (its buffer is full): the source was paused on purpose, and the clock restarts.
    if (out.writableNeedDrain) return seen();
    if (Date.now() - last < stallMs) return;
    const secs = Math.round(stallMs / 1000);
    const err = new RetryableError(`No data from ${what} for ${secs} s: the connection stalled; trying again`);
    source.destroy(err);
    out.destroy(err);
  }, Math.max(10, Math.min(1000, Math.floor(stallMs / 4))));
  timer.unref();
  source.on('data', seen);
  out.on('drain', seen);
  source.on('error', (e) => out.destroy(e));
  const stop = (): void => clearInterval(timer);
  out.on('close', () => {
    stop();
    if (!source.destroyed) source.destroy();
  });
  source.on('end', stop);
  source.pipe(out);
  return out;
}
