import type { MigrationState } from '../../../shared/contract/migrations.channels';
import type { ScanState } from '../../../shared/contract/costs.scan';
import type { ScheduleTarget } from '../../../shared/contract/settings.channels';
import type { Handlers } from '../dispatch';
import type { RunHandle } from './scheduler';

/** The engine's own handlers and events: a scheduled run goes the way the user's click goes. */
export interface RunDeps {
  handlers: Pick<Handlers, 'profiles:run' | 'plans:get' | 'costs:scan' | 'costs:scanResult'>;
  /** A profile's run of only `paths` (a kept-in-sync folder's changes); `profiles:run` runs the whole profile. */
  runProfilePaths(name: string, paths: readonly string[]): Promise<{ id: string }>;
  /** Calls `listener` on every event of the engine until the answered function is called. */
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

const ENDED: Readonly<Partial<Record<MigrationState, string | null>>> = {
  completed: null,
  'completed-with-differences': 'its verification found differences (see its report)',
  failed: 'it failed',
  cancelled: 'it was cancelled',
  'needs-confirmation': 'it waits for you to confirm deletions above the profile’s cap',
};

/**
 * Waits for a background run to end, woken by its events: `check` answers the outcome once it has ended, else
 * undefined. No polling loop: each event of the run looks again.
 */
function whenEnded(deps: RunDeps, eventName: string, id: string, check: () => Promise<{ ok: boolean; message?: string } | undefined>): Promise<{ ok: boolean; message?: string }> {
  return new Promise((resolve) => {
    let done = false;
    const look = (): void => {
      check()
        .then((o) => {
          if (!o || done) return;
          done = true;
          off();
          resolve(o);
        })
        .catch((e: unknown) => {
          if (done) return;
          done = true;
          off();
          resolve({ ok: false, message: e instanceof Error ? e.message : String(e) });
        });
    };
    const off = deps.onEvent((event, payload) => {
      if (event === eventName && (payload as { id?: unknown }).id === id) look();
    });
    look();
  });
}

/**
 * Starts a profile's run (plan, then run what the plan found; only `paths` of it when given), or a bucket scan, and
 * answers how it ends.
 */
export async function startRun(deps: RunDeps, target: ScheduleTarget, paths?: readonly string[]): Promise<RunHandle> {
  const signal = new AbortController().signal;
  if (target.type === 'profile') {
    const { id } = paths ? await deps.runProfilePaths(target.name, paths) : await deps.handlers['profiles:run']({ name: target.name }, { signal });
    const finished = whenEnded(deps, 'plans:progress', id, async () => {
      const s = await deps.handlers['plans:get']({ id }, { signal });
      const why = ENDED[s.state];
      if (why === undefined) return undefined;
      return why === null ? { ok: true } : { ok: false, message: s.message ? `${why}: ${s.message}` : why };
    });
    return { runId: id, finished };
  }
  const { id } = await deps.handlers['costs:scan']({ uri: target.uri }, { signal });
  const finished = whenEnded(deps, 'costs:scanProgress', id, async () => {
    const r = await deps.handlers['costs:scanResult']({ id }, { signal });
    const state: ScanState = r.state;
    if (state === 'running') return undefined;
    return state === 'done' ? { ok: true } : { ok: false, message: state === 'cancelled' ? 'it was cancelled' : (r.error?.message ?? 'it failed') };
  });
  return { runId: id, finished };
}
