import { CancelledError, toErrorInfo } from '../../../shared/errors';
import type { Provider } from '../providers/provider';
import type { Job } from './job-model';
import { listSources } from './listing';
import { classify, withRetry } from './retry';
import type { JobRunner, RunContext } from './run-context';

/** The files of one bucket of one account: deleted together in batches. */
interface Group {
  provider: Provider;
  bucket: string;
  accountKey: string;
  /** The folder the files were chosen in (PlannedFile.sourceWithin): nothing is removed through a link out of it. */
  within: string | undefined;
  files: Array<{ i: number; key: string }>;
}

/**
 * A delete job: the pending files grouped by account and bucket (each file resolved once), each group removed in
 * batches of `deleteBatchSize` keys (one request each where the service has a batch delete), every batch retried
 * as a whole; a key the service refuses fails alone.
 */
async function deleteFiles(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  const groups = new Map<string, Group>();
  for (const [i, f] of job.files.entries()) {
    if (f.state !== 'pending') continue;
    const { provider, location, accountKey } = await ctx.resolve(f.source);
    const g = `${accountKey}\u0000${location.bucket}\u0000${f.sourceWithin ?? '\u0000'}`;
    let group = groups.get(g);
    if (!group) groups.set(g, (group = { provider, bucket: location.bucket, accountKey, within: f.sourceWithin, files: [] }));
    group.files.push({ i, key: location.key });
  }
  for (const { provider, bucket, accountKey, within, files } of groups.values()) {
    for (let b = 0; b < files.length; b += ctx.deleteBatchSize) {
      if (signal.aborted) throw new CancelledError();
      const batch = files.slice(b, b + ctx.deleteBatchSize);
      const release = await ctx.admission.admitBatch([accountKey], signal);
      try {
        const result = await withRetry(
          ctx.retry,
          () =>
            provider.removeMany(
              bucket,
              batch.map((x) => x.key),
              signal,
              within === undefined ? undefined : { within },
            ),
          { signal },
        );
        const failed = new Map(result.failed.map((x) => [x.key, x.message]));
        for (const { i, key } of batch) {
          const f = job.files[i];
          if (!f) continue;
          f.attempts = 1;
          const message = failed.get(key);
          if (message !== undefined) f.error = { code: 'fatal', message };
          job.setFileState(i, message === undefined ? 'done' : 'failed');
          job.recordFile(i);
        }
      } catch (e) {
        if (signal.aborted) throw new CancelledError();
        const info = toErrorInfo(classify(e));
        for (const { i } of batch) {
          const f = job.files[i];
          if (!f) continue;
          f.error = info;
          job.setFileState(i, 'failed');
          job.recordFile(i);
        }
      } finally {
        release();
      }
    }
  }
}

export const deleteRunner: JobRunner = { list: listSources, run: deleteFiles };
