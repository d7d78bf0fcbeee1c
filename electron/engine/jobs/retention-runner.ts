import { setMaxListeners } from 'node:events';
import { CancelledError, toErrorInfo, UnsupportedError } from '../../../shared/errors';
import type { ObjectMetadata } from '../../../shared/model';
import { createLogger } from '../log';
import { statIfAny, type Provider } from '../providers/provider';
import type { Job } from './job-model';
import { listSources } from './listing';
import { classify, withRetry } from './retry';
import type { JobRunner, RunContext } from './run-context';
import type { PlannedFile } from './types';

const log = createLogger('jobs');
/** Objects checked and acted on at once per job (each is a HEAD and one request; no bytes are held). */
const WORKERS = 8;

export type CheckVerdict = { act: true } | { act: false; state: 'done' | 'skipped'; notice: string };

/**
 * Whether an object still is what a retention preview saw: gone, a different ETag, or modified at or after the
 * cutoff means someone wrote it since, and the run must leave it alone.
 */
export function checkUnchanged(planned: PlannedFile, meta: ObjectMetadata | undefined, cutoff: Date, targetClass?: string): CheckVerdict {
  if (!meta) {
    // Gone is what a delete wants (and what a resumed run finds after a delete its pause interrupted).
    return targetClass === undefined ? { act: false, state: 'done', notice: 'Already gone' } : { act: false, state: 'skipped', notice: 'Skipped: gone since the preview' };
  }
  if (targetClass !== undefined && meta.storageClass?.toLowerCase() === targetClass.toLowerCase()) {
    // An S3 class change is a self-copy that gives the object a new date: a resumed run finds it already done.
    return { act: false, state: 'done', notice: `Already in ${meta.storageClass}` };
  }
  if (planned.etag !== undefined && meta.etag !== undefined && planned.etag !== meta.etag) {
    return { act: false, state: 'skipped', notice: 'Skipped: changed since the preview (ETag differs)' };
  }
  const modified = meta.modified === undefined ? undefined : Date.parse(meta.modified);
  if (modified !== undefined && modified >= cutoff.getTime()) {
    return { act: false, state: 'skipped', notice: `Skipped: modified since the preview (${meta.modified})` };
  }
  if (planned.etag === undefined && meta.size !== planned.size) {
    return { act: false, state: 'skipped', notice: 'Skipped: changed since the preview (size differs)' };
  }
  return { act: true };
}

/**
 * A retention run (JobOptions.unchangedBefore): for every pending file, a HEAD, then delete it or set its storage
 * class (JobOptions.storageClass) only when it is unchanged since the preview. Each object is its own request so
 * that the check and the act are as close as they can be; both retry transient errors.
 */
async function runCheckedFiles(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  const cutoffIso = job.options.unchangedBefore;
  if (cutoffIso === undefined) throw new Error('a checked run needs options.unchangedBefore');
  const cutoff = new Date(cutoffIso);
  const targetClass = job.kind === 'set-class' ? job.options.storageClass : undefined;
  if (job.kind === 'set-class' && !targetClass) throw new Error('a set-class job needs options.storageClass');
  setMaxListeners(4 * WORKERS + 10, signal);
  const pending: number[] = [];
  job.files.forEach((f, i) => f.state === 'pending' && pending.push(i));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!signal.aborted && next < pending.length) {
      const i = pending[next++];
      if (i !== undefined) await one(job, i, ctx, signal, cutoff, targetClass);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WORKERS, pending.length) }, worker));
  if (signal.aborted) throw new CancelledError();
}

async function one(job: Job, i: number, ctx: RunContext, signal: AbortSignal, cutoff: Date, targetClass: string | undefined): Promise<void> {
  const f = job.files[i];
  if (!f) return;
  let release: (() => void) | undefined;
  try {
    const { provider, location, accountKey } = await ctx.resolve(f.source);
    release = await ctx.admission.admitBatch([accountKey], signal);
    job.setFileState(i, 'running');
    const retry = { signal, onRetry: (err: { code: string }, n: number, delay: number) => log.info(`retrying ${f.source} after attempt ${n} in ${delay} ms: ${err.code}`) };
    if (f.version !== undefined) {
      const version = f.version;
      const outcome = await removeNoncurrentChecked(provider, location.bucket, location.key, f, version, signal, (fn) => withRetry(ctx.retry, fn, retry));
      f.notices = outcome.notice === undefined ? [] : [outcome.notice];
      finish(job, i, outcome.state);
      return;
    }
    const meta = await withRetry(
      ctx.retry,
      async (n) => {
        f.attempts = n;
        return statIfAny(provider, location.bucket, location.key, signal);
      },
      retry,
    );
    const verdict = checkUnchanged(f, meta, cutoff, targetClass);
    if (verdict.act) {
      if (targetClass !== undefined) {
        const outcome = await setClassChecked(provider, location.bucket, location.key, targetClass, meta, signal, (fn) => withRetry(ctx.retry, fn, retry));
        f.notices = outcome.notice === undefined ? [] : [outcome.notice];
        finish(job, i, outcome.state);
      } else {
        // Deleted only if still the version just checked (meta is defined: checkUnchanged acts on existing objects).
        const outcome = await removeChecked(provider, location.bucket, location.key, meta, signal, (fn) => withRetry(ctx.retry, fn, retry), f.sourceWithin);
        f.notices = outcome.notice === undefined ? [] : [outcome.notice];
        finish(job, i, outcome.state);
      }
    } else {
      f.notices = [verdict.notice];
      finish(job, i, verdict.state);
    }
  } catch (e) {
    if (signal.aborted) {
      job.setFileState(i, 'pending');
      return;
    }
    f.error = toErrorInfo(classify(e));
    job.setFileState(i, 'failed');
    job.recordFile(i);
  } finally {
    release?.();
  }
}

/** Which version of an object: its ETag, and its version id or generation where the service has one. */
type Version = Pick<ObjectMetadata, 'etag' | 'version'>;

/** The version a check saw, as Provider.remove / setMetadata take it for a conditional request. */
function versionOf(checked: Version | undefined): { etag?: string; version?: string } {
  return { ...(checked?.etag === undefined ? {} : { etag: checked.etag }), ...(checked?.version === undefined ? {} : { version: checked.version }) };
}

/** Whether the object now there is another version than the one checked. */
function changedSince(now: Version, checked: Version | undefined): boolean {
  return now.etag !== checked?.etag || now.version !== checked?.version;
}

/** Changes between a retention run's check and its delete: the object stays and is reported, never counted deleted. */
export const CHANGED_SINCE_CHECKED = 'Skipped: changed since it was checked (rewritten just before the delete)';

/**
 * Deletes the object only if it is still the version `checked` describes (Provider.remove's ifMatch), never through
 * a link out of the folder `within` (RemoveOptions.within). A refusal
 * (ConflictError) is looked at again: a newer version there is skipped and reported as changed; nothing there is
 * done (someone else deleted it, or this run did and its answer was lost, so a retry met the condition on nothing).
 */
export async function removeChecked(
  provider: Provider,
  bucket: string,
  key: string,
  checked: Version | undefined,
  signal: AbortSignal,
  retry: <T>(fn: (attempt: number) => Promise<T>) => Promise<T>,
  within?: string,
): Promise<{ state: 'done' | 'skipped'; notice?: string }> {
  const ifMatch = versionOf(checked);
  try {
    await retry(() => provider.remove(bucket, key, signal, { ifMatch, ...(within === undefined ? {} : { within }) }));
    return { state: 'done' };
  } catch (e) {
    if (classify(e).code !== 'conflict') throw e;
    const now = await retry(() => statIfAny(provider, bucket, key, signal));
    if (now === undefined) return { state: 'done', notice: 'Already gone' };
    if (changedSince(now, checked)) return { state: 'skipped', notice: CHANGED_SINCE_CHECKED };
    throw e;
  }
}

/** A planned noncurrent version that is the current one by the run (a newer version was deleted meanwhile). */
export const NOW_CURRENT = 'Skipped: it is the current version now (a newer version was deleted since the preview)';

/**
 * Deletes one noncurrent version a preview planned, only while it still is a noncurrent version with the bytes the
 * preview saw: it is looked up among its key's versions first, and one that has become current, or differs, is
 * left alone and reported. Gone counts as done.
 */
export async function removeNoncurrentChecked(
  provider: Provider,
  bucket: string,
  key: string,
  planned: PlannedFile,
  version: string,
  signal: AbortSignal,
  retry: <T>(fn: (attempt: number) => Promise<T>) => Promise<T>,
): Promise<{ state: 'done' | 'skipped'; notice?: string }> {
  const versioning = provider.versioning;
  if (!versioning) throw new UnsupportedError('This store keeps no object versions');
  const found = (await retry(() => versioning.list(bucket, key, signal))).find((v) => v.versionId === version);
  if (!found) return { state: 'done', notice: 'Already gone' };
  if (found.isCurrent) return { state: 'skipped', notice: NOW_CURRENT };
  if (found.size !== planned.size || (planned.etag !== undefined && found.etag !== undefined && found.etag !== planned.etag)) {
    return { state: 'skipped', notice: 'Skipped: that version differs from the preview' };
  }
  await retry(() => versioning.remove(bucket, key, version, signal));
  return { state: 'done' };
}

/** Changes between a retention run's check and its class change: the new version is left in its class and reported. */
export const CHANGED_BEFORE_MOVE = 'Skipped: changed since it was checked (rewritten just before the class change)';

/**
 * Sets the storage class only on the version `checked` describes where the provider can make the change conditional
 * (features.conditionalClassChange: S3 CopySourceIfMatch, GCS ifGenerationMatch). A refusal (ConflictError) is looked
 * at again: gone or a newer version there is skipped and reported. Azure's Set Blob Tier has no ETag condition: the
 * HEAD just before is the only guard, and a blob whose ETag differs after the change is reported as rewritten meanwhile
 * (the tier change itself keeps the ETag). An object the store is still moving (ObjectMetadata.pendingStorageClass:
 * an Azure blob rehydrating from Archive) counts as done, with a notice.
 */
export async function setClassChecked(
  provider: Provider,
  bucket: string,
  key: string,
  targetClass: string,
  checked: ObjectMetadata | undefined,
  signal: AbortSignal,
  retry: <T>(fn: (attempt: number) => Promise<T>) => Promise<T>,
): Promise<{ state: 'done' | 'skipped'; notice?: string }> {
  const ifMatch = versionOf(checked);
  let after: ObjectMetadata;
  try {
    after = await retry(() => provider.setMetadata(bucket, key, { storageClass: targetClass }, signal, { ifMatch }));
  } catch (e) {
    // Gone between the check and the change (a self-copy's own HEAD, or the tier change, finds nothing).
    if (classify(e).code === 'not_found') return { state: 'skipped', notice: 'Skipped: gone since it was checked' };
    if (classify(e).code !== 'conflict' || !provider.features.conditionalClassChange) throw e;
    const now = await retry(() => statIfAny(provider, bucket, key, signal));
    if (now === undefined) return { state: 'skipped', notice: 'Skipped: gone since it was checked' };
    // A retry after a change whose answer was lost: the self-copy or rewrite gave it a new ETag or generation.
    if (now.storageClass?.toLowerCase() === targetClass.toLowerCase()) return { state: 'done', notice: `Already in ${now.storageClass}` };
    if (changedSince(now, checked)) return { state: 'skipped', notice: CHANGED_BEFORE_MOVE };
    throw e;
  }
  const kept = after.storageClass !== undefined && after.storageClass.toLowerCase() !== targetClass.toLowerCase();
  if (kept && after.pendingStorageClass?.toLowerCase() === targetClass.toLowerCase()) {
    // The service moves it in its own time (Azure's rehydration from Archive: up to 15 hours at standard priority).
    return { state: 'done', notice: `Moving from ${after.storageClass} to ${after.pendingStorageClass}: the store finishes it in its own time (a rehydration from Archive takes hours); the object stays in ${after.storageClass} until then` };
  }
  // A store may accept the request and keep the class (fake-gcs): say so.
  if (kept) throw new UnsupportedError(`The store kept the object in ${after.storageClass}`);
  if (!provider.features.conditionalClassChange && checked?.etag !== undefined && after.etag !== undefined && after.etag !== checked.etag) {
    return { state: 'done', notice: `Moved, but it was rewritten between the check and the class change (this store cannot make a class change conditional): the newer version is in ${targetClass}` };
  }
  return { state: 'done' };
}

function finish(job: Job, i: number, state: 'done' | 'skipped'): void {
  const f = job.files[i];
  // A class change counts the bytes it covered (a delete counts files only, as the delete job does).
  if (f && job.kind !== 'delete') job.counter.attempt().complete(f.size);
  job.setFileState(i, state);
  job.recordFile(i);
}

/** Retention's runner: the checked delete or class change of the objects a preview planned. */
export const retentionRunner: JobRunner = { list: listSources, run: runCheckedFiles };
