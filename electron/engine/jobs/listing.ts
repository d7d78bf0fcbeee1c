import { expandSources } from './expand';
import { FILES_PER_JOURNAL_LINE, type Job } from './job-model';
import type { RunContext } from './run-context';
import type { PlannedFile } from './types';

/**
 * The listing phase of a job started from its sources: they are expanded into files (expand.ts), journaled in
 * batches as they come, and the listing is journaled as complete once it is. A file the plan rejects (a name the
 * destination cannot hold, a collision) fails at once.
 */
export async function listSources(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  job.phase = 'listing';
  job.truncateFiles(0);
  let batch: PlannedFile[] = [];
  let from = 0;
  const flush = (): void => {
    if (batch.length === 0) return;
    job.record({ t: 'files', from, files: batch });
    from += batch.length;
    batch = [];
  };
  const totals = await expandSources({
    sources: job.sources,
    ...(job.destination === undefined ? {} : { destination: job.destination }),
    exact: job.options.destinationIsExact === true,
    removesSources: job.kind === 'delete' || job.kind === 'move',
    ...(job.options.alternates?.length ? { alternates: job.options.alternates } : {}),
    resolve: ctx.resolve,
    signal,
    onFile: (file) => {
      job.addFile(file);
      batch.push(file);
      if (batch.length >= FILES_PER_JOURNAL_LINE) flush();
    },
  });
  flush();
  job.files.forEach((f, i) => {
    if (f.planError) {
      f.error = f.planError;
      job.setFileState(i, 'failed');
    }
  });
  job.listed = true;
  job.record({ t: 'listed', files: totals.files, bytes: totals.bytes }, true);
}
