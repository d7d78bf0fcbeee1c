import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc() with its options (the gc extension behind --expose-gc): a scavenge or a full collection, now or from a task. */
export type Collect = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => unknown;

let collect: Collect | undefined;

/**
 * V8's gc(), in a process not started with --expose-gc (the desktop app's main process cannot be given V8 flags at
 * its start): the extension is installed in the contexts made after the flag is set, so a new context's global has
 * it. The engine's heap modules ask for collections through it.
 */
export function gcExtension(): Collect {
  if (collect) return collect;
  v8.setFlagsFromString('--expose-gc');
  collect = runInNewContext('gc') as Collect;
  return collect;
}
