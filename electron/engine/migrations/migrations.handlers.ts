import type { migrationChannels } from '../../../shared/contract/migrations.channels';
import { ConflictError } from '../../../shared/errors';
import type { Handler } from '../dispatch';
import { createLogger } from '../log';
import { MigrationService } from './migration-service';
import { profileFileName, profileFromYaml, profileToYaml } from './profile-yaml';
import { ProfileStore } from './profiles';
import { exportReport } from './report';
import type { MigrationDeps } from './types';

const log = createLogger('migrations');

export type MigrationChannelName = keyof typeof migrationChannels;
export type MigrationHandlers = { [C in MigrationChannelName]: Handler<C> };

/**
 * The plans:* and profiles:* channels, to spread into the engine's handler table. Planning and running go on in
 * the background (`plans:progress` events); every request here answers at once.
 */
export async function createMigrationHandlers(
  deps: MigrationDeps,
): Promise<{ handlers: MigrationHandlers; service: MigrationService; runProfile(name: string, paths?: readonly string[]): Promise<{ id: string }> }> {
  const service = new MigrationService(deps);
  await service.restore();
  const profiles = new ProfileStore(deps.dataDir);
  const ok = { ok: true as const };
  const background = (id: string, p: Promise<void>): void => {
    p.catch((e: unknown) => log.warn(`migration ${id} stopped`, e));
  };
  /** Plan, then run what the plan found: a re-run copies only what changed since the last one (of `paths`, if given). */
  const runProfile = async (name: string, paths?: readonly string[]): Promise<{ id: string }> => {
    const profile = await profiles.get(name);
    const { id, planned } = service.create(profile.request, name, paths);
    background(
      id,
      planned.then(() => {
        if (service.get(id).state === 'planned') service.runner.start(id);
      }),
    );
    return { id };
  };
  const handlers: MigrationHandlers = {
    'plans:create': async ({ name, ...request }) => {
      const { id, planned } = service.create(request, name);
      background(id, planned);
      return { id };
    },
    'plans:get': async ({ id }) => service.get(id),
    'plans:list': async () => service.list(),
    'plans:page': async ({ id, group, dest, offset, limit }) => service.page(id, group, dest, offset, limit),
    'plans:run': async ({ id }) => (await service.run(id), ok),
    'plans:confirmDeletions': async ({ id }) => (service.runner.confirmDeletions(id), ok),
    'plans:cancel': async ({ id }) => (service.cancel(id), ok),
    'plans:remove': async ({ id }) => (await service.remove(id), ok),
    'plans:export': async ({ id, format }) => exportReport(service, id, format),
    'profiles:save': async ({ name, request }) => (await profiles.save(name, request), ok),
    'profiles:list': async () => profiles.list(),
    'profiles:remove': async ({ name }) => (await profiles.remove(name), ok),
    'profiles:run': async ({ name }) => runProfile(name),
    'profiles:exportYaml': async ({ name }) => {
      const profile = await profiles.get(name);
      return { text: profileToYaml(profile), fileName: profileFileName(name) };
    },
    'profiles:importYaml': async ({ text, fileName, replace, save }) => {
      // Every account the file names must exist here: the refusal names the line that names it.
      const { name, request } = profileFromYaml(text, fileName ?? 'The profile', (uri) => void deps.resolve(uri));
      if (save === false) return { name, request, saved: false };
      if (!replace && (await profiles.list()).some((p) => p.name === name)) {
        throw new ConflictError(`A migration profile named "${name}" exists already: remove it first, or rename the profile in the file`);
      }
      await profiles.save(name, request);
      return { name, request, saved: true };
    },
  };
  return { handlers, service, runProfile };
}
