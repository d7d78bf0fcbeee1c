import { CancelledError, toErrorInfo, UnsupportedError } from '../../../shared/errors';
import type { MetadataPatch } from '../../../shared/model';
import type { Job } from './job-model';
import { listSources } from './listing';
import { classify, withRetry } from './retry';
import type { JobRunner, RunContext } from './run-context';

/**
 * A 'set-metadata' job: one change applied to each listed object, one object at a time, each retried alone. The
 * provider decides how (S3 copies the object onto itself with the new metadata, which also gives it a new modified
 * time; GCS patches the object's metadata; Azure sets the blob's properties and metadata). User metadata in the
 * change is merged into each object's own, so that a bulk edit adds or replaces names without erasing the others.
 */
async function setMetadataOfFiles(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  const change = job.options.metadata;
  if (!change) throw new Error('a set-metadata job needs options.metadata');
  for (const [i, f] of job.files.entries()) {
    if (f.state !== 'pending') continue;
    if (signal.aborted) throw new CancelledError();
    const { provider, location, accountKey } = await ctx.resolve(f.source);
    const release = await ctx.admission.admitBatch([accountKey], signal);
    try {
      if (!provider.features.setMetadata) throw new UnsupportedError(`${location.account} cannot change an object's metadata`);
      await withRetry(
        ctx.retry,
        async () => {
          let patch: MetadataPatch = change;
          if (change.userMetadata) {
            const now = await provider.stat(location.bucket, location.key, signal);
            patch = { ...change, userMetadata: { ...now.userMetadata, ...change.userMetadata } };
          }
          await provider.setMetadata(location.bucket, location.key, patch, signal);
        },
        { signal },
      );
      f.attempts = 1;
      job.setFileState(i, 'done');
    } catch (e) {
      if (signal.aborted) throw new CancelledError();
      f.error = toErrorInfo(classify(e));
      job.setFileState(i, 'failed');
    } finally {
      release();
    }
    job.recordFile(i);
  }
}

export const metadataRunner: JobRunner = { list: listSources, run: setMetadataOfFiles };
