import { setMaxListeners } from 'node:events';
import { CancelledError, SkyferryError, toErrorInfo } from '../../../shared/errors';
import { createLogger } from '../log';
import { runCheckedFiles } from './checked-run';
import { expandSources } from './expand';
import type { Job, FileRecord } from './job-model';
import type { RunContext } from './job-manager';
import { classify, withRetry } from './retry';
import { choosePath, discardResume, transferFile, type AttemptState, type Endpoint, type TransferOutcome } from './transfer';
import type { ResumeRecord } from './types';
import type { PlannedFile } from './types';
import type { SizeClass } from './admission';
import { DestinationIndex } from './destination-index';

const log = createLogger('jobs');
const FILES_PER_JOURNAL_LINE = 500;
/** At most one upload checkpoint per file per this interval reaches the journal (the latest one wins). */
const CHECKPOINT_INTERVAL_MS = 500;

/** Journals a file's upload checkpoints, throttled, each fsync'd; stop() drops one still waiting. */
function checkpointWriter(job: Job, i: number): { write: (r: ResumeRecord) => void; stop: (keep?: boolean) => void } {
  let last = 0;
  let pending: ResumeRecord | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    if (!pending) return;
    job.record({ t: 'resume', i, source: pending.source, state: pending.state }, true);
    pending = undefined;
    last = Date.now();
  };
  return {
    write: (r) => {
      pending = r;
      const wait = last + CHECKPOINT_INTERVAL_MS - Date.now();
      if (wait <= 0) flush();
      else timer ??= setTimeout(flush, wait).unref();
    },
    /** `keep`: the upload stays for a later run, so a checkpoint still waiting is written now. */
    stop: (keep = false) => {
      if (timer) clearTimeout(timer);
      if (keep) flush();
      timer = undefined;
      pending = undefined;
    },
  };
}

/**
 * Runs one job to its end: the listing phase (once; its result is journaled), then every pending file. Throws
 * CancelledError when the job's signal was aborted (pause, cancel, shutdown): the manager decides what that means.
 */
export async function runJob(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  if (!job.listed) await list(job, ctx, signal);
  job.phase = 'transferring';
  ctx.changed(job);
  if (job.options.unchangedBefore !== undefined || job.kind === 'set-class') await runCheckedFiles(job, ctx, signal);
  else if (job.kind === 'delete') await deleteFiles(job, ctx, signal);
  else await transferAll(job, ctx, signal);
  if (signal.aborted) throw new CancelledError();
}

async function list(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
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
    ...(job.options.alternates?.length ? { alternates: job.options.alternates } : {}),
    resolve: ctx.resolve,
    signal,
    onFile: (file) => {
      job.addFile(file);
      batch.push(file);
      if (batch.length >= FILES_PER_JOURNAL_LINE) flush();
      job.dirty = true;
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
  const first = job.files[0];
  if (first?.destination !== undefined) {
    const [src, dst] = await Promise.all([ctx.resolve(first.source), ctx.resolve(first.destination)]);
    job.predictedPath = choosePath(endpoint(src, src.location.key), endpoint(dst, dst.location.key), job.options.allowServerSide ?? true, job.options.allowCloudPull).path;
  }
}

function endpoint(r: Awaited<ReturnType<RunContext['resolve']>>, key: string): Endpoint {
  return { provider: r.provider, bucket: r.location.bucket, key, accountKey: r.accountKey };
}

function journalFile(job: Job, i: number, f: FileRecord): void {
  job.record({
    t: 'file',
    i,
    state: f.state,
    attempts: f.attempts,
    ...(f.path ? { path: f.path } : {}),
    ...(f.checksum !== undefined ? { checksum: f.checksum } : {}),
    ...(f.notice !== undefined ? { notice: f.notice } : {}),
    ...(f.error ? { error: f.error } : {}),
  });
}

/**
 * Every pending file, small and large ones in separate queues with their own workers: the admission (shared by
 * all jobs) bounds how many of each are in flight and how much memory they hold, so small files keep flowing
 * while large ones upload, and neither class waits behind the other's queue.
 */
async function transferAll(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  const index = await destinationIndex(job, ctx, signal);
  // Every worker waiting for admission listens to the job's signal: tens of listeners are expected, not a leak.
  setMaxListeners(4 * (ctx.admission.workers('small') + ctx.admission.workers('large')) + 10, signal);
  const queues: Record<SizeClass, number[]> = { small: [], large: [] };
  job.files.forEach((f, i) => f.state === 'pending' && queues[ctx.admission.classOf(f.size)].push(i));
  const drain = async (queue: number[]): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!signal.aborted && next < queue.length) {
        const i = queue[next++];
        if (i !== undefined) await transferOne(job, i, ctx, signal, index);
      }
    };
    const count = Math.min(ctx.admission.workers(queue === queues.small ? 'small' : 'large'), queue.length);
    await Promise.all(Array.from({ length: count }, worker));
  };
  await Promise.all([drain(queues.large), drain(queues.small)]);
}

/** One listing of where the pending files go, instead of one HEAD each; undefined when not worth it or it failed. */
async function destinationIndex(job: Job, ctx: RunContext, signal: AbortSignal): Promise<DestinationIndex | undefined> {
  const destinations: string[] = [];
  for (const f of job.files) if (f.state === 'pending' && f.destination !== undefined) destinations.push(f.destination);
  try {
    return await DestinationIndex.build(destinations, ctx.resolve, signal);
  } catch (e) {
    if (signal.aborted) throw e;
    // Not fatal: every file then asks the destination itself, as before.
    log.info(`listing the destination of job ${job.id} failed, checking each file instead: ${toErrorInfo(e).message}`);
    return undefined;
  }
}

async function transferOne(job: Job, i: number, ctx: RunContext, signal: AbortSignal, index: DestinationIndex | undefined): Promise<void> {
  const f = job.files[i];
  if (!f || f.destination === undefined) return;
  let release: (() => void) | undefined;
  const checkpoints = checkpointWriter(job, i);
  const state: AttemptState = {
    ...(f.resume ? { resume: f.resume } : {}),
    onCheckpoint: (r) => {
      f.resume = r;
      checkpoints.write(r);
    },
  };
  let dst: Endpoint | undefined;
  try {
    const [s, d] = await Promise.all([ctx.resolve(f.source), ctx.resolve(f.destination)]);
    const src = endpoint(s, s.location.key);
    dst = endpoint(d, d.location.key);
    const listed = index?.lookup(d.provider, d.location.bucket, d.location.key);
    if (listed !== undefined) state.listedDestination = listed;
    // Size and ETag from the source listing: the read is made conditional on that ETag (a first attempt only).
    state.listedSource = { size: f.size, ...(f.etag === undefined ? {} : { etag: f.etag }) };
    const alternates = job.options.alternates ?? [];
    const { serverSide } = choosePath(src, dst, job.options.allowServerSide ?? true);
    // Only a relay into a cloud holds bytes in memory (parts, or a small body); a local disk takes a stream. An
    // alternate location may need the relay even when the first one could copy server-side.
    const buffers = (!serverSide || alternates.length > 0) && d.provider.kind !== 'local';
    release = await ctx.admission.admit({ size: f.size, buffers, accounts: [s.accountKey, d.accountKey] }, signal);
    job.setFileState(i, 'running');
    const to = dst;
    const served = await readWithFailover(job, i, ctx, signal, state, [src, ...alternates], (from, uri, base) =>
      withRetry(
        ctx.retry,
        async (n) => {
          f.attempts = base + n;
          const counter = job.counter.attempt();
          job.live.set(i, counter);
          try {
            return await transferFile(from, to, ctx.stallMs === undefined ? job.options : { ...job.options, stallMs: ctx.stallMs }, counter, signal, state);
          } catch (e) {
            counter.rollback();
            throw e;
          }
        },
        { signal, onRetry: (err, n, delay) => log.info(`retrying ${uri} after attempt ${n} in ${delay} ms: ${err.code}`) },
      ),
    );
    const outcome = served.outcome;
    if (job.kind === 'move' && outcome.status === 'done') {
      await withRetry(ctx.retry, () => served.src.provider.remove(served.src.bucket, served.src.key, signal), { signal });
    }
    f.path = outcome.path;
    job.paths.add(outcome.path);
    if (outcome.checksum !== undefined) f.checksum = outcome.checksum;
    if (outcome.status === 'done') dropLeftover(f);
    if (outcome.notice !== undefined) f.notice = f.notice ? `${f.notice}. ${outcome.notice}` : outcome.notice;
    checkpoints.stop();
    delete f.resume;
    job.setFileState(i, outcome.status);
    journalFile(job, i, f);
  } catch (e) {
    checkpoints.stop(signal.aborted && job.stopReason !== 'cancel');
    if (signal.aborted) {
      // Paused or stopped mid-file: an upload with checkpoints continues next time (journaled); others start
      // over, their upload aborted by the provider. A cancel gives up the unfinished upload.
      const left = job.stopReason === 'cancel' && dst ? await discardResume(dst, state) : undefined;
      if (state.resume) f.resume = state.resume;
      else delete f.resume;
      job.setFileState(i, 'pending');
      if (left !== undefined) {
        addLeftover(f, left);
        journalFile(job, i, f);
      }
      return;
    }
    if (dst) addLeftover(f, await discardResume(dst, state));
    delete f.resume;
    const err = classify(e);
    if (err.code === 'checksum_mismatch' && state.destinationExisted === false && dst) {
      // Never leave a copy that failed verification looking like a good one.
      await dst.provider.remove(dst.bucket, dst.key).catch(() => undefined);
    }
    f.error = toErrorInfo(err);
    job.setFileState(i, 'failed');
    journalFile(job, i, f);
  } finally {
    job.live.delete(i);
    release?.();
  }
}

/** Says in the file's report what its given-up upload left on the service (a provider's sentence). */
function addLeftover(f: FileRecord, leftover: string | undefined): void {
  if (leftover === undefined) return;
  dropLeftover(f);
  f.leftover = leftover;
  f.notice = f.notice ? `${f.notice}. ${leftover}` : leftover;
}

/** A finished upload of the name dropped what an earlier one left: its sentence goes. */
function dropLeftover(f: FileRecord): void {
  if (f.leftover === undefined || f.notice === undefined) return;
  const rest = f.notice
    .split(/\. /)
    .filter((s) => s !== f.leftover)
    .join('. ');
  delete f.leftover;
  if (rest) f.notice = rest;
  else delete f.notice;
}

/** Drops the unfinished uploads a job's files keep for a resume (the job was cancelled while not running). */
export async function discardResumes(job: Job, ctx: RunContext): Promise<void> {
  for (const f of job.files) {
    if (!f.resume || f.destination === undefined) continue;
    const state: AttemptState = { resume: f.resume };
    delete f.resume;
    try {
      const d = await ctx.resolve(f.destination);
      const left = await discardResume(endpoint(d, d.location.key), state);
      if (left !== undefined) {
        addLeftover(f, left);
        journalFile(job, job.files.indexOf(f), f);
      }
    } catch (e) {
      log.info(`could not drop the unfinished upload of ${f.destination}: ${toErrorInfo(e).message}`);
    }
  }
}

/**
 * Reads the file from its source, and when that fails for good (not retryable, or retries spent) from each
 * alternate location in turn (JobOptions.alternates). The location that served it is named in the outcome's
 * notice; when every one failed, the error names each location and its reason.
 */
async function readWithFailover(
  job: Job,
  i: number,
  ctx: RunContext,
  signal: AbortSignal,
  state: AttemptState,
  locations: ReadonlyArray<Endpoint | string>,
  read: (src: Endpoint, uri: string, attemptsBefore: number) => Promise<TransferOutcome>,
): Promise<{ outcome: TransferOutcome; src: Endpoint }> {
  const f = job.files[i];
  const failed: Array<{ uri: string; err: SkyferryError }> = [];
  for (const [n, location] of locations.entries()) {
    const uri = typeof location === 'string' ? location : (f?.source ?? '');
    try {
      const src = typeof location === 'string' ? await ctx.resolve(location).then((r) => endpoint(r, r.location.key)) : location;
      // Attempts count on across locations: the file entry shows every read tried.
      const outcome = await read(src, uri, n === 0 ? 0 : (f?.attempts ?? 0));
      if (failed.length === 0) return { outcome, src };
      const why = failed.map((x) => `${x.uri} failed: ${x.err.message}`).join('; ');
      const notice = `Read from ${uri} after ${why}`;
      return { outcome: { ...outcome, notice: outcome.notice === undefined ? notice : `${notice}. ${outcome.notice}` }, src };
    } catch (e) {
      const err = classify(e);
      if (signal.aborted || locations.length === 1) throw err;
      failed.push({ uri, err });
      if (n === locations.length - 1) {
        throw new SkyferryError(err.code, `Every saved location failed: ${failed.map((x) => `${x.uri}: ${x.err.message}`).join('; ')}`, { cause: err });
      }
      log.info(`reading ${uri} failed (${err.code}); trying the next saved location`);
      // The listed ETag was the first location's: the next one is asked what it holds.
      state.listedSource = { size: f?.size ?? 0 };
    }
  }
  throw new SkyferryError('fatal', 'No location to read from');
}

async function deleteFiles(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  const groups = new Map<string, number[]>();
  const resolved = new Map<number, { bucket: string; key: string; accountKey: string }>();
  for (const [i, f] of job.files.entries()) {
    if (f.state !== 'pending') continue;
    const r = await ctx.resolve(f.source);
    resolved.set(i, { bucket: r.location.bucket, key: r.location.key, accountKey: r.accountKey });
    const g = `${r.accountKey}\u0000${r.location.bucket}`;
    const list = groups.get(g) ?? [];
    list.push(i);
    groups.set(g, list);
  }
  for (const indices of groups.values()) {
    const firstIndex = indices[0];
    const firstFile = firstIndex === undefined ? undefined : job.files[firstIndex];
    if (!firstFile) continue;
    const { provider } = await ctx.resolve(firstFile.source);
    for (let b = 0; b < indices.length; b += ctx.deleteBatchSize) {
      if (signal.aborted) throw new CancelledError();
      const batch = indices.slice(b, b + ctx.deleteBatchSize);
      const keys = batch.map((i) => resolved.get(i)?.key ?? '');
      const bucket = resolved.get(batch[0] ?? -1)?.bucket ?? '';
      const release = await ctx.admission.admitBatch([resolved.get(batch[0] ?? -1)?.accountKey ?? ''], signal);
      try {
        const result = await withRetry(ctx.retry, () => provider.removeMany(bucket, keys, signal), { signal });
        const failed = new Map(result.failed.map((x) => [x.key, x.message]));
        for (const i of batch) {
          const f = job.files[i];
          const key = resolved.get(i)?.key ?? '';
          if (!f) continue;
          f.attempts = 1;
          const message = failed.get(key);
          if (message !== undefined) f.error = { code: 'fatal', message };
          job.setFileState(i, message === undefined ? 'done' : 'failed');
          journalFile(job, i, f);
        }
      } catch (e) {
        if (signal.aborted) throw new CancelledError();
        const info = toErrorInfo(classify(e));
        for (const i of batch) {
          const f = job.files[i];
          if (!f) continue;
          f.error = info;
          job.setFileState(i, 'failed');
          journalFile(job, i, f);
        }
      } finally {
        release();
      }
    }
  }
}
