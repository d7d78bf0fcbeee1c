import type { Readable } from 'node:stream';
import type { OpenOptions, Provider } from '../providers/provider';

export interface Counts {
  stat: number;
  open: number;
  list: number;
  put: number;
}

/** Counts the requests a job makes through a real provider; `beforeOpen` may change the source first. */
export function counted(inner: Provider, beforeOpen?: (key: string) => Promise<void>): { provider: Provider; counts: Counts } {
  const counts: Counts = { stat: 0, open: 0, list: 0, put: 0 };
  const provider: Provider = Object.assign(Object.create(inner) as Provider, {
    stat: (bucket: string, key: string, signal?: AbortSignal) => (counts.stat++, inner.stat(bucket, key, signal)),
    list: (...a: Parameters<Provider['list']>) => (counts.list++, inner.list(...a)),
    put: (...a: Parameters<Provider['put']>) => (counts.put++, inner.put(...a)),
    open: async (bucket: string, key: string, options?: OpenOptions): Promise<Readable> => {
      counts.open++;
      await beforeOpen?.(key);
      return inner.open(bucket, key, options);
    },
  });
  return { provider, counts };
}
