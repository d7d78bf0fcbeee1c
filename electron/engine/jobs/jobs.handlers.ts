import type { Handlers } from '../dispatch';
import { findConflicts } from './conflicts';
import type { JobManager } from './job-manager';

export type JobChannelName = 'jobs:conflicts' | 'jobs:start' | 'jobs:list' | 'jobs:get' | 'jobs:pause' | 'jobs:resume' | 'jobs:cancel' | 'jobs:retry' | 'jobs:clearHistory';

/** The jobs channels, to be spread into the engine's handler table. Requests arrive already parsed by dispatch. */
export function createJobHandlers(manager: JobManager): Pick<Handlers, JobChannelName> {
  const ok = { ok: true as const };
  return {
    'jobs:conflicts': async (req, { signal }) => findConflicts(req, manager.resolve, signal),
    'jobs:start': async (req) => manager.start(req),
    'jobs:list': async () => manager.list(),
    'jobs:get': async (req) => manager.get(req.id).detail(req.offset ?? 0, req.limit ?? 1000),
    'jobs:pause': async (req) => (manager.pause(req), ok),
    'jobs:resume': async (req) => (manager.resume(req), ok),
    'jobs:cancel': async (req) => (manager.cancel(req), ok),
    'jobs:retry': async (req) => (manager.retry(req), ok),
    'jobs:clearHistory': async () => (manager.clearHistory(), ok),
  };
}
