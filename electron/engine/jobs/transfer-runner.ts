import { setMaxListeners } from 'node:events';
import { ConflictError, SkyferryError, toErrorInfo } from '../../../shared/errors';
import { baseName, type ProviderKind } from '../../../shared/location';
import { createLogger } from '../log';
import type { Job, FileRecord } from './job-model';
import { listSources } from './listing';
import { classify, withRetry } from './retry';
import type { JobRunner, RunContext } from './run-context';
import { FileCopy } from './file-copy';
import { ResumableUpload } from './relay';
import { choosePath, overwriteFor, type Endpoint, type TransferOutcome } from './transfer';
import type { Resolved, ResumeRecord } from './types';
import type { RangedRead, SizeClass } from './admission';
import { DestinationIndex } from './destination-index';
import { reservedKeys } from './conflicts';
import { checkUnchanged, removeChecked } from './retention-runner';
import { statIfAny } from '../providers/provider';

const log = createLogger('jobs');
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

/** Jobs listed or already swept in this process: their destinations hold no temp file of a dead run of theirs. */
const seen = new WeakSet<Job>();

/** The listing phase, then the way the first file would go, shown while nothing has moved yet. */
async function listAndPredict(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  seen.add(job);
  await listSources(job, ctx, signal);
  const first = job.files[0];
  if (first?.destination !== undefined) {
    const [src, dst] = await Promise.all([ctx.resolve(first.source), ctx.resolve(first.destination)]);
    job.predictedPath = choosePath(endpoint(src), endpoint(dst), job.options.allowServerSide ?? true, job.options.allowCloudPull).path;
  }
}

function withReserved(reserved: ((key: string) => boolean) | undefined): { reserved?: (key: string) => boolean } {
  return reserved === undefined ? {} : { reserved };
}

/** The parallel ranged read the admission allows for this file's source, if any, and its upload's most parts in flight. */
function rangedReadOf(ctx: RunContext, size: number, s: Resolved, d: Resolved): { rangedRead?: RangedRead; uploadParts?: number } {
  const ranged = ctx.admission.rangedRead(size, s.provider.features);
  const parts = ctx.admission.uploadParts(size, d.provider.features.maxUploadParts);
  return { ...(ranged === undefined ? {} : { rangedRead: ranged }), ...(parts === undefined ? {} : { uploadParts: parts }) };
}

function endpoint(r: Resolved): Endpoint {
  return { provider: r.provider, bucket: r.location.bucket, key: r.location.key, accountKey: r.accountKey };
}

/**
 * Every pending file, small and large ones in separate queues with their own workers: the admission (shared by
 * all jobs) bounds how many of each are in flight and how much memory they hold, so small files keep flowing
 * while large ones upload, and neither class waits behind the other's queue.
 */
async function transferAll(job: Job, ctx: RunContext, signal: AbortSignal): Promise<void> {
  // A job that comes back from its journal (the app was killed or quit mid-file) first removes the partial files
  // its killed writes left beside its destinations.
  if (!seen.has(job)) await removeLeftovers(job, ctx, signal);
  seen.add(job);
  const index = await destinationIndex(job, ctx, signal);
  const fence = job.destination === undefined ? undefined : await ctx.resolve(job.destination);
  // Every worker waiting for admission listens to the job's signal: tens of listeners are expected, not a leak.
  setMaxListeners(4 * (ctx.admission.workers('small') + ctx.admission.workers('large')) + 10, signal);
  const queues: Record<SizeClass, number[]> = { small: [], large: [] };
  job.files.forEach((f, i) => f.state === 'pending' && queues[ctx.admission.classOf(f.size)].push(i));
  // The large files' read and upload windows are sized by how many of them are still to go (Admission.rangedWindow).
  const large = ctx.admission.expectLarge(queues.large.length);
  const drain = async (queue: number[], settled?: () => void): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!signal.aborted && next < queue.length) {
        const i = queue[next++];
        if (i !== undefined) await transferOne(job, i, ctx, signal, index, fence);
        settled?.();
      }
    };
    const count = Math.min(ctx.admission.workers(queue === queues.small ? 'small' : 'large'), queue.length);
    await Promise.all(Array.from({ length: count }, worker));
  };
  try {
    await Promise.all([drain(queues.large, large.settled), drain(queues.small)]);
  } finally {
    large.done();
  }
}

/** One listing of where the pending files go, instead of one HEAD each; undefined when not worth it or it failed. */
async function destinationIndex(job: Job, ctx: RunContext, signal: AbortSignal): Promise<DestinationIndex | undefined> {
  const destinations: string[] = [];
  for (const f of job.files) if (f.state === 'pending' && f.destination !== undefined) destinations.push(f.destination);
  try {
    return await DestinationIndex.build(destinations, ctx.resolve, signal);
  } catch (e) {
    if (signal.aborted) throw e;
    // Not fatal: every file then asks the destination itself.
    log.info(`listing the destination of job ${job.id} failed, checking each file instead: ${toErrorInfo(e).message}`);
    return undefined;
  }
}

/**
 * The folder of the job's destination that a file's write must stay in (Endpoint.within): the destination itself
 * when it is a folder, its parent when it is the new name itself (destinationIsExact). Undefined when the file
 * goes elsewhere (another account or bucket), which a planned job's files may.
 */
function withinOf(job: Job, fence: Resolved | undefined, d: Resolved): string | undefined {
  if (!fence || fence.accountKey !== d.accountKey || fence.location.bucket !== d.location.bucket) return undefined;
  const key = fence.location.key;
  const parent = key.slice(0, key.lastIndexOf('/') + 1);
  const folder = key === '' || key.endsWith('/') ? key : job.options.destinationIsExact === true ? parent : `${key}/`;
  for (const candidate of [folder, parent]) if (d.location.key.startsWith(candidate)) return candidate;
  return undefined;
}

async function transferOne(job: Job, i: number, ctx: RunContext, signal: AbortSignal, index: DestinationIndex | undefined, fence: Resolved | undefined): Promise<void> {
  const f = job.files[i];
  if (!f || f.destination === undefined) return;
  let release: (() => void) | undefined;
  const checkpoints = checkpointWriter(job, i);
  let copy: FileCopy | undefined;
  try {
    const [s, d] = await Promise.all([ctx.resolve(f.source), ctx.resolve(f.destination)]);
    if (job.kind === 'move' && job.options.unchangedBefore !== undefined) {
      // A planned move (a migration's quarantine) takes only the version the plan saw: one written since stays.
      const meta = await withRetry(ctx.retry, () => statIfAny(s.provider, s.location.bucket, s.location.key, signal), { signal });
      const verdict = checkUnchanged(f, meta, new Date(job.options.unchangedBefore));
      if (!verdict.act) {
        checkpoints.stop();
        f.notices.push(verdict.notice);
        job.setFileState(i, verdict.state);
        job.recordFile(i);
        return;
      }
    }
    const listed = index?.lookup(d.provider, d.location.bucket, d.location.key);
    const throttle = ctx.throttle;
    const relaying = ctx.relaying;
    const options = {
      ...job.options,
      overwrite: overwriteFor(job.options, f.destination),
      ...(ctx.stallMs === undefined ? {} : { stallMs: ctx.stallMs }),
      ...(throttle === undefined ? {} : { throttle: (from: ProviderKind, to: ProviderKind) => throttle(job.id, from, to, signal, job.options.limit) }),
      ...(relaying === undefined ? {} : { relaying }),
      // A disk-to-disk copy is one system call the limiter cannot pace: under a limit it is relayed instead.
      ...(s.provider.kind === 'local' && d.provider.kind === 'local' && ctx.localLimited?.(job.id, job.options.limit) === true ? { allowServerSide: false } : {}),
    };
    const within = f.within ?? withinOf(job, fence, d);
    copy = new FileCopy(endpoint(s), within === undefined ? endpoint(d) : { ...endpoint(d), within }, options, {
      // Size and ETag from the source listing: the read is made conditional on that ETag (a first attempt only).
      listedSource: { size: f.size, ...(f.etag === undefined ? {} : { etag: f.etag }) },
      ...(listed === undefined ? {} : { listedDestination: listed }),
      ...(index === undefined ? {} : { listedAt: (key: string) => index.lookup(d.provider, d.location.bucket, key) }),
      ...(f.resume ? { resume: f.resume } : {}),
      ...withReserved(reservedKeys(job)),
      ...rangedReadOf(ctx, f.size, s, d),
      onCheckpoint: (r) => {
        f.resume = r;
        checkpoints.write(r);
      },
    });
    const alternates = job.options.alternates ?? [];
    const mayFailOver = alternates.length > 0;
    const admitted = await ctx.admission.admit({ size: f.size, buffers: copy.holdsBuffers(mayFailOver), rangedRead: copy.readsInRanges(mayFailOver), maxUploadParts: d.provider.features.maxUploadParts, accounts: [s.accountKey, d.accountKey] }, signal);
    release = admitted.release;
    copy.holdIn(admitted.memory);
    job.setFileState(i, 'running');
    const started = performance.now();
    const outcome = await readWithFailover(job, i, ctx, signal, copy, alternates);
    // What this file took tells the admission how the links cope with the files in flight (adaptive-limit.ts): a
    // relay's, or a pull's, whose destination's fetches are what more files in flight would add to.
    if (outcome.status === 'done' && (outcome.path === 'relay' || outcome.path === 'cloud-pull')) ctx.admission.completed(f.size, performance.now() - started);
    if (job.kind === 'move' && outcome.status === 'done') {
      // Only the version copied is removed (a source rewritten since stays), never through a link out of the folder it was chosen in.
      const from = copy.source;
      const removed = await removeChecked(from.provider, from.bucket, from.key, outcome.copied, signal, (fn) => withRetry(ctx.retry, fn, { signal }), f.sourceWithin);
      if (removed.state === 'skipped') throw new ConflictError(`Copied, but ${baseName(from.key)} changed at the source after it was copied, so it was not removed: both are kept`);
    }
    f.path = outcome.path;
    job.paths.add(outcome.path);
    if (outcome.checksum !== undefined) f.checksum = outcome.checksum;
    if (outcome.status === 'done') dropLeftover(f);
    f.notices.push(...outcome.notices);
    checkpoints.stop();
    delete f.resume;
    job.setFileState(i, outcome.status);
    job.recordFile(i);
  } catch (e) {
    checkpoints.stop(signal.aborted && job.stopReason !== 'cancel');
    if (signal.aborted) {
      // Paused or stopped mid-file: an upload with checkpoints continues next time (journaled); others start
      // over, their upload aborted by the provider. A cancel gives up the unfinished upload.
      const left = job.stopReason === 'cancel' && copy ? await copy.discardResume() : undefined;
      const resume = copy ? copy.resume : f.resume;
      if (resume) f.resume = resume;
      else delete f.resume;
      job.setFileState(i, 'pending');
      if (left !== undefined) {
        addLeftover(f, left);
        job.recordFile(i);
      }
      return;
    }
    if (copy) addLeftover(f, await copy.discardResume());
    delete f.resume;
    const err = classify(e);
    if (err.code === 'checksum_mismatch' && copy?.destinationExisted === false) {
      // Never leave a copy that failed verification looking like a good one.
      const { dst } = copy;
      await dst.provider.remove(dst.bucket, dst.key).catch(() => undefined);
    }
    f.error = toErrorInfo(err);
    job.setFileState(i, 'failed');
    job.recordFile(i);
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
  f.notices.push(leftover);
}

/** A finished upload of the name dropped what an earlier one left: its sentence goes. */
function dropLeftover(f: FileRecord): void {
  if (f.leftover === undefined) return;
  const leftover = f.leftover;
  f.notices = f.notices.filter((s) => s !== leftover);
  delete f.leftover;
}

/**
 * Removes what writes killed with an earlier run of the app left in the folders of the job's unfinished files
 * (a local folder's temp files; Provider.removeLeftovers). Not fatal: a failure is logged.
 */
async function removeLeftovers(job: Job, ctx: RunContext, signal?: AbortSignal): Promise<void> {
  const groups = new Map<string, { d: Resolved; keys: string[] }>();
  try {
    for (const f of job.files) {
      if (f.destination === undefined || f.state === 'done' || f.state === 'skipped') continue;
      const d = await ctx.resolve(f.destination);
      if (!d.provider.removeLeftovers) continue;
      const id = `${d.accountKey}\n${d.location.bucket}`;
      const group = groups.get(id);
      if (group) group.keys.push(d.location.key);
      else groups.set(id, { d, keys: [d.location.key] });
    }
    for (const { d, keys } of groups.values()) {
      const removed = (await d.provider.removeLeftovers?.(d.location.bucket, keys, signal)) ?? 0;
      if (removed > 0) log.info(`removed ${removed} partial file(s) an interrupted run of job ${job.id} left in ${d.location.bucket}`);
    }
  } catch (e) {
    if (signal?.aborted) throw e;
    log.info(`could not remove the partial files of job ${job.id}: ${toErrorInfo(e).message}`);
  }
}

/**
 * Gives up what a job cancelled while not running keeps for a resume: the unfinished uploads its files keep on the
 * services, and the partial files a killed run left in local folders.
 */
async function discardResumes(job: Job, ctx: RunContext): Promise<void> {
  await removeLeftovers(job, ctx);
  for (const [i, f] of job.files.entries()) {
    if (!f.resume || f.destination === undefined) continue;
    const resume = f.resume;
    delete f.resume;
    try {
      const d = await ctx.resolve(f.destination);
      const left = await new ResumableUpload(endpoint(d), resume).discard();
      if (left !== undefined) {
        addLeftover(f, left);
        job.recordFile(i);
      }
    } catch (e) {
      log.info(`could not drop the unfinished upload of ${f.destination}: ${toErrorInfo(e).message}`);
    }
  }
}

/**
 * Copies the file from its source, and when reading that fails for good (not retryable, or retries spent) from
 * each alternate location in turn (JobOptions.alternates), each attempt retried by the job's policy. The location
 * that served it is named in the outcome's notice; when every one failed, the error names each location and its
 * reason.
 */
async function readWithFailover(job: Job, i: number, ctx: RunContext, signal: AbortSignal, copy: FileCopy, alternates: readonly string[]): Promise<TransferOutcome> {
  const f = job.files[i];
  if (!f) throw new SkyferryError('fatal', 'No such file in the job');
  // undefined: the file's own source, already resolved.
  const locations: ReadonlyArray<string | undefined> = [undefined, ...alternates];
  const failed: Array<{ uri: string; err: SkyferryError }> = [];
  for (const [n, location] of locations.entries()) {
    const uri = location ?? f.source;
    try {
      if (location !== undefined) copy.readFrom(endpoint(await ctx.resolve(location)));
      // Attempts count on across locations: the file entry shows every read tried.
      const before = n === 0 ? 0 : f.attempts;
      const outcome = await withRetry(
        ctx.retry,
        async (attempt) => {
          f.attempts = before + attempt;
          const counter = job.counter.attempt();
          job.live.set(i, counter);
          try {
            return await copy.attempt(counter, signal);
          } catch (e) {
            counter.rollback();
            throw e;
          }
        },
        {
          signal,
          onRetry: (err, attempt, delay) => {
            if (err.code === 'throttled') ctx.admission.throttled(f.size);
            log.info(`retrying ${uri} after attempt ${attempt} in ${delay} ms: ${err.code}`);
          },
        },
      );
      if (failed.length === 0) return outcome;
      const why = failed.map((x) => `${x.uri} failed: ${x.err.message}`).join('; ');
      return { ...outcome, notices: [`Read from ${uri} after ${why}`, ...outcome.notices] };
    } catch (e) {
      const err = classify(e);
      if (signal.aborted || locations.length === 1) throw err;
      failed.push({ uri, err });
      if (n === locations.length - 1) {
        throw new SkyferryError(err.code, `Every saved location failed: ${failed.map((x) => `${x.uri}: ${x.err.message}`).join('; ')}`, { cause: err });
      }
      log.info(`reading ${uri} failed (${err.code}); trying the next saved location`);
    }
  }
  throw new SkyferryError('fatal', 'No location to read from');
}

/** Copy and move: every file by the cheapest way that works, verified; a move removes each source once copied. */
export const transferRunner: JobRunner = { list: listAndPredict, run: transferAll, discard: discardResumes };
