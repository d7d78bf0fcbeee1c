import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';
import { gcExtension } from './gc-extension';

/**
 * How far the old space may grow past what the last full collection left, by default, before the engine asks V8 for
 * the next one. V8 starts its first full collection only when the old space reaches a limit sized from the
 * machine's memory, and sets the next limit at up to several times what survived: an engine moving thousands of
 * small files promotes the objects of its requests in flight (they outlive two scavenges over a link of tens of
 * milliseconds), and they die there, so without this the old space holds several times its live objects in garbage.
 */
export const DEFAULT_OLD_SPACE_HEADROOM_BYTES = 48 * 1024 * 1024;

let observer: PerformanceObserver | undefined;
let headroom = DEFAULT_OLD_SPACE_HEADROOM_BYTES;
/** The old space's size in use after the last full collection. */
let baseline: number | undefined;
/** A collection asked for and not yet finished. */
let asked = false;

function oldSpaceUsed(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;
}

function onGc(entries: PerformanceEntry[]): void {
  for (const e of entries) {
    // A gc entry's detail (NodeGCPerformanceDetail), which Node's types leave off PerformanceEntry.
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      baseline = oldSpaceUsed();
      asked = false;
    }
  }
  const used = oldSpaceUsed();
  baseline ??= used;
  if (asked || used <= baseline + headroom) return;
  asked = true;
  // 'async': V8 runs it from a task of its own after this callback, not inside the GC observer.
  gcExtension()({ type: 'major', execution: 'async' });
}

/**
 * Asks V8 for a full collection whenever the old space has grown `bytes` past what the last one left, so that
 * objects promoted and dead are freed at tens of MB, not at the hundreds V8's own limits allow on a machine of many
 * GiB. A collection is asked for only after a scavenge, and one at a time. Process-wide; the last call's headroom
 * holds, Infinity leaves V8 to its own limits.
 */
export function boundOldSpace(bytes: number = DEFAULT_OLD_SPACE_HEADROOM_BYTES): void {
  headroom = Math.max(0, bytes);
  if (observer || headroom === Infinity) return;
  observer = new PerformanceObserver((list) => onGc(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
}
