import { useEffect, type DependencyList } from 'react';

/**
 * Runs a slice's load while `deps` hold, and abandons it when they change or the component goes: the signal
 * aborts the engine call (in the served mode the engine stops its work) and the slice drops the late answer.
 * `load` null: nothing to load yet.
 */
export function useLoad(load: ((signal: AbortSignal) => Promise<unknown>) | null, deps: DependencyList): void {
  useEffect(() => {
    if (!load) return undefined;
    const abandon = new AbortController();
    void load(abandon.signal);
    return () => abandon.abort();
    // The caller names what the load depends on; `load` itself is a new closure on every render.
  }, deps);
}
