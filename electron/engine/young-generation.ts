import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/**
 * The new space's committed size (both semi-spaces) at which it stops growing, by default. V8 sizes the young
 * generation from the machine's memory (semi-spaces of 64 MiB, 128 MiB committed, on a machine of 24 GiB), and the
 * engine's garbage dies young at a quarter of that: its copies run as fast with 16 MiB semi-spaces.
 */
export const DEFAULT_NEW_SPACE_BYTES = 32 * 1024 * 1024;

let observer: PerformanceObserver | undefined;
let capBytes = DEFAULT_NEW_SPACE_BYTES;

function newSpaceBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

function growthFactor(): string {
  // V8 grows the new space (by --semi-space-growth-factor, read at each growth) after a scavenge that many objects
  // survive; a factor of 1 leaves it as it is. Growth is allowed only while one more step (a doubling) stays within
  // the cap: the factor is set again after each GC, but V8 may grow it twice between two of those settings.
  return newSpaceBytes() * 2 <= capBytes ? '--semi-space-growth-factor=2' : '--semi-space-growth-factor=1';
}

/**
 * Holds the new space at its size until capNewSpace is called (the engine's start). For a process's first line:
 * while modules are evaluated, the scavenges come one after another in one synchronous stretch, with no turn of the
 * event loop between them for capNewSpace's observer to stop the growth at the cap, and V8 doubles the new space
 * past it; what survives there is code and module state, which lives on anyway.
 */
export function holdNewSpace(): void {
  if (!observer) v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Keeps V8's new space from growing past `bytes` in this process, whatever starts the process. The flag that caps
 * it (--max-semi-space-size) is read only when the isolate starts, which the desktop app's main process cannot be
 * given, so the cap is held instead by the flag V8 reads each time it grows the new space: after every garbage
 * collection, growth is allowed while a doubling stays under the cap and stopped after that. A new space already
 * past the cap stays as it is (V8 shrinks it on its own when the process is idle). Process-wide and idempotent: the
 * last call's cap holds.
 */
export function capNewSpace(bytes: number = DEFAULT_NEW_SPACE_BYTES): void {
  capBytes = Math.max(1, bytes);
  v8.setFlagsFromString(growthFactor());
  if (observer) return;
  observer = new PerformanceObserver(() => v8.setFlagsFromString(growthFactor()));
  observer.observe({ entryTypes: ['gc'] });
}
