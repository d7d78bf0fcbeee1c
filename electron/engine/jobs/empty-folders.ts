import { toErrorInfo } from '../../../shared/errors';
import { parentPrefix } from '../../../shared/location';
import { createLogger } from '../log';
import type { Job } from './job-model';
import type { JobRunner } from './run-context';

const log = createLogger('jobs');

/**
 * Once a delete or move has taken a folder's files, the folder goes too, as in a file manager: each source folder
 * the job named (a key ending in '/') is offered to Provider.removeEmptyFolders, which only a local disk has (a
 * service's folder is its objects). Folders that still hold something stay. Not fatal: a failure is logged.
 */
async function removeEmptiedFolders(job: Job, resolve: Parameters<JobRunner['run']>[1]['resolve'], signal: AbortSignal): Promise<void> {
  for (const uri of job.sources) {
    if (signal.aborted) return;
    try {
      const { provider, location } = await resolve(uri);
      if (!provider.removeEmptyFolders || location.key === '' || !location.key.endsWith('/')) continue;
      // A deleted folder that is a link goes as a link; a moved one stays (nothing was moved out of where it leads).
      const removed = await provider.removeEmptyFolders(location.bucket, location.key, { within: parentPrefix(location.key), removeLink: job.kind === 'delete' }, signal);
      if (removed > 0) log.info(`removed ${removed} emptied folder(s) of ${uri} (job ${job.id})`);
    } catch (e) {
      log.info(`could not remove the emptied folders of ${uri} (job ${job.id}): ${toErrorInfo(e).message}`);
    }
  }
}

/** The runner, then the folders its job emptied (delete and move). */
export function thenRemoveEmptiedFolders(runner: JobRunner): JobRunner {
  return {
    ...runner,
    run: async (job, ctx, signal) => {
      await runner.run(job, ctx, signal);
      await removeEmptiedFolders(job, ctx.resolve, signal);
    },
  };
}
