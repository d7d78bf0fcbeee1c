import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { gcExtension } from './gc-extension';

/**
 * The new space's committed size (both semi-spaces) at which it stops growing, by default. V8 sizes the young
 * generation from the machine's memory (semi-spaces of 64 MiB, 128 MiB committed, on a machine of 24 GiB), and the
 * engine's garbage dies young at a quarter of that: its copies run as fast with 16 MiB semi-spaces.
 */
export const DEFAULT_NEW_SPACE_BYTES = 32 * 1024 * 1024;

/**
 * How far the memory of the process's ArrayBuffers (outside V8's heap) may grow past its lowest point since the last
 * scavenge the engine asked for, by default, while it relays bytes. Every chunk a socket or a file read gives is a
 * Buffer whose memory the C library holds until a collection finds the Buffer dead. A big file's relay reads tens of
 * MB a second in such chunks and allocates few objects in the heap, so scavenges are rare; V8 weighs the chunks'
 * memory only to start a full collection each time it has grown by 64 MB, and the C library's arena keeps that
 * high-water mark. A scavenge every few MB frees them young, for about a millisecond each.
 */
export const DEFAULT_SCAVENGE_AFTER_BYTES = 4 * 1024 * 1024;
/** How often the ArrayBuffers' memory is looked at while bytes are relayed (a read of V8's counters, under a microsecond). */
const CHECK_MS = 50;
/** With nothing relayed for this long, the engine stops looking. */
const IDLE_MS = 1000;

let observer: PerformanceObserver | undefined;
let capBytes = DEFAULT_NEW_SPACE_BYTES;
let capping = false;
let scavengeAfter = Infinity;
let checks: ReturnType<typeof setInterval> | undefined;
let lastRelayed = 0;
/** The ArrayBuffers' lowest memory seen since the last scavenge asked for. */
let lowest = Infinity;

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
  if (!capping) v8.setFlagsFromString('--semi-space-growth-factor=1');
}

function observe(): void {
  if (observer) return;
  observer = new PerformanceObserver(() => v8.setFlagsFromString(growthFactor()));
  observer.observe({ entryTypes: ['gc'] });
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
  capping = true;
  v8.setFlagsFromString(growthFactor());
  observe();
}

/**
 * Has V8 scavenge, while the engine relays bytes, each time the ArrayBuffers' memory has grown `bytes` past its
 * lowest point since the last such scavenge (DEFAULT_SCAVENGE_AFTER_BYTES), so that the Buffers of the chunks read
 * are freed young. Looked at every CHECK_MS from a timer that runs only while bytes are relayed: the relay's own
 * bytes arrive in lumps (a ranged read's whole range at once, several files' at the same moment), the sockets' do
 * not. Process-wide; the last call's figure holds, Infinity leaves it to V8.
 */
export function paceScavenges(bytes: number = DEFAULT_SCAVENGE_AFTER_BYTES): void {
  scavengeAfter = Math.max(1, bytes);
}

function check(): void {
  if (scavengeAfter === Infinity || performance.now() - lastRelayed > IDLE_MS) {
    clearInterval(checks);
    checks = undefined;
    lowest = Infinity;
    return;
  }
  // V8's count of the memory held outside its heap, most of it ArrayBuffers' (the part pool's buffers included:
  // they stay, so only what grows past them counts).
  const now = v8.getHeapStatistics().external_memory;
  lowest = Math.min(lowest, now);
  if (now - lowest < scavengeAfter) return;
  // Freed by a sweep after the scavenge, on a thread of V8's: the lowest point is found again from the next look.
  lowest = Infinity;
  gcExtension()({ type: 'minor' });
}

/** The engine is relaying bytes (called chunk by chunk): paceScavenges' checks run until a second after the last. */
export function relaying(): void {
  if (scavengeAfter === Infinity) return;
  lastRelayed = performance.now();
  checks ??= setInterval(check, CHECK_MS).unref();
}
