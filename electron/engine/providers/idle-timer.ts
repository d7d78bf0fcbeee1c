/**
 * Calls `onIdle` once when `touch()` has not been called for `ms` (checked a few times per period). While
 * `excused()` is true (the caller is waiting on someone else on purpose) the clock does not run. The stall
 * watches of the relay's reads and of Azure's uploads share it.
 */
export function idleTimer(ms: number, onIdle: () => void, excused: () => boolean = () => false): { touch(): void; stop(): void } {
  let last = Date.now();
  const touch = (): void => {
    last = Date.now();
  };
  const timer = setInterval(() => {
    if (excused()) return touch();
    if (Date.now() - last < ms) return;
    clearInterval(timer);
    onIdle();
  }, Math.max(10, Math.min(1000, Math.floor(ms / 4))));
  timer.unref();
  return { touch, stop: () => clearInterval(timer) };
}
