import { PassThrough, type Readable } from 'node:stream';
import { RetryableError } from '../../../shared/errors';
import { idleTimer } from '../providers/idle-timer';

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
  // Waiting on the reader (its buffer is full) is not a stall: the source was paused on purpose.
  const idle = idleTimer(
    stallMs,
    () => {
      const err = new RetryableError(`No data from ${what} for ${Math.round(stallMs / 1000)} s: the connection stalled; trying again`);
      source.destroy(err);
      out.destroy(err);
    },
    () => out.writableNeedDrain,
  );
  source.on('data', idle.touch);
  out.on('drain', idle.touch);
  source.on('error', (e) => out.destroy(e));
  out.on('close', () => {
    idle.stop();
    if (!source.destroyed) source.destroy();
  });
  source.on('end', idle.stop);
  source.pipe(out);
  return out;
}
