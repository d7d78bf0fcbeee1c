import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import type { Provider, OpenOptions, PutOptions, PutResult } from '../providers/provider';

/**
 * Wraps a real provider (local or an emulator-backed one) and injects failures where a network would: a read that
 * dies mid-body, a put that is refused, a byte flipped on the way, a slow link. It never fakes an SDK: every byte
 * that gets through is stored by the real provider.
 */
export interface Faults {
  /** Fail this many reads with `error()` after `failAfterBytes` bytes. */
  failReads?: { times: number; afterBytes: number; error: () => Error };
  /** Every put throws this (e.g. AccessDeniedError). */
  putError?: () => Error;
  /** Flip one byte of everything written, at this offset. */
  corruptPutAt?: number;
  /** Bytes per second for reads (a slow link, so that pause and cancel land mid-file). */
  readBytesPerSecond?: number;
}

export interface FaultCounters {
  opens: number;
  puts: Map<string, number>;
  failedReads: number;
}

function throttle(bytesPerSecond: number): Transform {
  return new Transform({
    highWaterMark: 16 * 1024,
    transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback) {
      const pieces: Buffer[] = [];
      for (let o = 0; o < chunk.length; o += 16 * 1024) pieces.push(chunk.subarray(o, o + 16 * 1024));
      const pushNext = (): void => {
        const p = pieces.shift();
        if (!p) {
          cb();
          return;
        }
        this.push(p);
        setTimeout(pushNext, (p.length / bytesPerSecond) * 1000);
      };
      pushNext();
    },
  });
}

export function withFaults(inner: Provider, faults: Faults): { provider: Provider; counters: FaultCounters } {
  const counters: FaultCounters = { opens: 0, puts: new Map(), failedReads: 0 };
  const overrides: Partial<Provider> = {
    open: async (bucket: string, key: string, options?: OpenOptions): Promise<Readable> => {
      counters.opens++;
      let stream: Readable = await inner.open(bucket, key, options);
      // pipeline(), not pipe(): a destroyed source must surface as the stream's error, never as an unhandled one.
      if (faults.readBytesPerSecond) stream = pipeline(stream, throttle(faults.readBytesPerSecond), () => undefined);
      const f = faults.failReads;
      if (f && f.times > 0) {
        f.times--;
        counters.failedReads++;
        let seen = 0;
        const src = stream;
        const cut = new Transform({
          transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback) {
            seen += chunk.length;
            if (seen > f.afterBytes) {
              src.destroy();
              cb(f.error());
              return;
            }
            cb(null, chunk);
          },
        });
        stream = pipeline(src, cut, () => undefined);
      }
      return stream;
    },
    put: async (bucket: string, key: string, source: Readable, options: PutOptions): Promise<PutResult> => {
      counters.puts.set(key, (counters.puts.get(key) ?? 0) + 1);
      if (faults.putError) {
        source.destroy();
        throw faults.putError();
      }
      let body = source;
      if (faults.corruptPutAt !== undefined) {
        const at = faults.corruptPutAt;
        let offset = 0;
        body = pipeline(
          source,
          new Transform({
            transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback) {
              if (at >= offset && at < offset + chunk.length) {
                const copy = Buffer.from(chunk);
                copy[at - offset] = (copy[at - offset] ?? 0) ^ 0xff;
                chunk = copy;
              }
              offset += chunk.length;
              cb(null, chunk);
            },
          }),
          () => undefined,
        );
      }
      return inner.put(bucket, key, body, options);
    },
  };
  // Everything else goes to the real provider, bound to it (providers may keep private state).
  const provider = new Proxy(inner, {
    get(target, prop, receiver): unknown {
      const own = (overrides as Record<string | symbol, unknown>)[prop];
      if (own !== undefined) return own;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { provider, counters };
}
