import type { JobLimit, ScheduleTarget, settingsChannels } from '../../../shared/contract/settings.channels';
import type { Bandwidth } from '../bandwidth/limiter';
import type { Handler } from '../dispatch';
import type { FolderSync } from '../sync/folder-sync';
import type { Scheduler } from './scheduler';

export type SettingsHandlers = { [C in keyof typeof settingsChannels]: Handler<C> };

export interface SettingsDeps {
  bandwidth: Bandwidth;
  scheduler: Scheduler;
  sync: FolderSync;
  /** The job (its own limit is journaled with it); throws NotFoundError for a job the engine does not know. */
  requireJob(id: string): { setLimit(limit: JobLimit): void };
  /** Throws when a schedule's target cannot run: no such profile, an unknown account. */
  checkTarget(target: ScheduleTarget): Promise<void>;
}

/** settings:*, jobs:setLimit, schedules:* and sync:*, to spread into the engine's handler table. */
export function createSettingsHandlers(deps: SettingsDeps): SettingsHandlers {
  const ok = { ok: true as const };
  return {
    'settings:get': async () => ({ bandwidth: deps.bandwidth.setting }),
    'settings:setBandwidth': async ({ limit }) => {
      await deps.bandwidth.set(limit);
      return { bandwidth: deps.bandwidth.setting };
    },
    'jobs:setLimit': async ({ id, limit }) => {
      // Journaled first: a restart resumes the job under this limit, not the one it started with.
      deps.requireJob(id).setLimit(limit);
      deps.bandwidth.setJobLimit(id, limit);
      return ok;
    },
    'schedules:list': async () => deps.scheduler.list(),
    'schedules:save': async (request) => {
      await deps.checkTarget(request.target);
      return deps.scheduler.save(request);
    },
    'schedules:remove': async ({ id }) => (await deps.scheduler.remove(id), ok),
    'sync:list': async () => deps.sync.list(),
    'sync:start': async ({ profile }) => deps.sync.start(profile),
    'sync:stop': async ({ profile }) => (await deps.sync.stop(profile), ok),
  };
}
