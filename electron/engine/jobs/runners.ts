import { deleteRunner } from './delete-runner';
import { thenRemoveEmptiedFolders } from './empty-folders';
import { metadataRunner } from './metadata-runner';
import { retentionRunner } from './retention-runner';
import type { JobRunner, JobRunners } from './run-context';
import { transferRunner } from './transfer-runner';

/**
 * A delete with JobOptions.unchangedBefore is a retention run: each object is checked against the preview before
 * it is deleted (retention-runner.ts). Its listing and cancel cleanup stay the delete's own.
 */
function checkedWhenRetention(runner: JobRunner): JobRunner {
  return {
    ...runner,
    run: (job, ctx, signal) => (job.options.unchangedBefore === undefined ? runner : retentionRunner).run(job, ctx, signal),
  };
}

/** Skyferry's job kinds and what runs each: the table the engine's JobManager is given. */
export function defaultRunners(): JobRunners {
  return {
    copy: transferRunner,
    move: thenRemoveEmptiedFolders(transferRunner),
    delete: checkedWhenRetention(thenRemoveEmptiedFolders(deleteRunner)),
    'set-class': retentionRunner,
    'set-metadata': metadataRunner,
  };
}
