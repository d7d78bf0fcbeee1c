import { ConflictError } from '../../../shared/errors';
import { formatLocation } from '../../../shared/location';
import type { JobKind, JobSummary } from '../../../shared/contract/jobs.channels';
import type { MigrationSummary, PlanItem, ServiceRun } from '../../../shared/contract/migrations.channels';
import type { PlannedFile } from '../jobs/types';
import { HASH_KINDS } from '../../../shared/model';
import { createLogger } from '../log';
import { asPrefix } from './keys';
import { listName, planMigration } from './planner';
import { buildReport, DELETIONS_SKIPPED } from './report';
import type { MigrationHost } from './types';

const log = createLogger('migrations.run');

/** Deletions above the cap stop the run before anything is deleted. No cap given: every deletion asks. */
export function deletionCapExceeded(s: MigrationSummary): string | undefined {
  const n = s.deletionsPlanned;
  const { maxCount, maxPercent } = s.request.deletions;
  const total = s.destinations.reduce((t, d) => t + d.destinationObjects, 0);
  const why: string[] = [];
  if (maxCount === undefined && maxPercent === undefined) why.push('no limit was set');
  // An empty source (a mistyped prefix, a bucket emptied by accident) would mirror into deleting everything. A run of
  // some paths only (a kept-in-sync folder's changes: files removed there) sees just those, so neither that rule nor
  // a share of the destination can be judged in it: the count limit holds, and without one it stops here (the
  // folder's next sync compares the whole folder, where the share is judged). A vanished folder makes a whole-folder run.
  const scoped = s.paths !== undefined;
  if (s.source.objects === 0 && !scoped) why.push('the source holds no objects');
  if (maxCount !== undefined && n > maxCount) why.push(`your limit is ${maxCount}`);
  if (scoped && maxCount === undefined && maxPercent !== undefined) why.push(`only the changed paths were compared, so your ${maxPercent} % limit cannot be judged`);
  if (maxPercent !== undefined && !scoped && total > 0 && (n / total) * 100 > maxPercent) why.push(`that is ${((n / total) * 100).toFixed(1)} % of the destination, over your ${maxPercent} %`);
  if (why.length === 0) return undefined;
  const verb = s.request.deletions.quarantinePrefix ? `moved to ${s.request.deletions.quarantinePrefix}` : 'deleted';
  return `${n} objects would be ${verb} (${why.join('; ')}). Nothing was ${verb}: confirm the deletions to go on, or plan again with other filters.`;
}

export function deletionsSkippedNote(copyFailed: number): string {
  return `${DELETIONS_SKIPPED} ${copyFailed} ${copyFailed === 1 ? 'file' : 'files'} failed to copy: nothing was deleted or moved to quarantine`;
}

/**
 * The closing line of a run the verification found no difference in, saying what was compared (kind -> count, as
 * the planner counts them): a match of sizes alone is not called a verified match of contents.
 */
export function verifiedMessage(kinds: Record<string, number>): string {
  const hashed = Object.entries(kinds).filter(([k, n]) => (HASH_KINDS as readonly string[]).includes(k) && n > 0);
  const bySum = hashed.reduce((t, [, n]) => t + n, 0);
  const bySize = Object.entries(kinds).reduce((t, [k, n]) => t + ((HASH_KINDS as readonly string[]).includes(k) ? 0 : n), 0);
  const how = hashed.map(([k, n]) => `${k}: ${n}`).join(', ');
  if (bySize === 0 && bySum === 0) return 'Verified: no object is on both sides to compare, and nothing is missing';
  if (bySize === 0) return `Verified: source and destination match (compared by checksum: ${how})`;
  const sizes = `${bySize} ${bySize === 1 ? 'object was' : 'objects were'} compared by size only (no checksum both sides give): their sizes match, their contents were not compared`;
  return bySum === 0 ? `Sizes match: ${sizes}` : `No differences: ${bySum} compared by checksum (${how}); ${sizes}`;
}

/**
 * Runs a plan: one copy job for exactly the planned pairs (new and changed, every destination at once), then the
 * mirror's deletions (none after any copy error; capped; each only of the version planned; quarantine moves instead of
 * deletes, never over an earlier quarantined copy), then a verification (the plan again, by
 * checksum where both sides have one) whose differences are listed, then the report. Each step is saved, so a
 * run the app was killed in goes on from where it was: the job manager resumes the jobs themselves.
 */
export class MigrationRunner {
  private readonly current = new Map<string, { jobId?: string; verify?: AbortController; cancelled?: boolean }>();

  constructor(private readonly svc: MigrationHost) {}

  start(id: string): void {
    const s = this.svc.get(id);
    if (s.state !== 'planned') throw new ConflictError(s.state === 'planning' ? 'The plan is not ready yet' : 'This plan has already run: plan again to see what changed since');
    s.state = 'running';
    s.runStartedAt = new Date().toISOString();
    void this.flow(s, 'copy');
  }

  /**
   * A plan a cloud's transfer service copied, once the service's run has ended: the same verification, report and
   * cost record as a run of Skyferry's own, with the service's counters kept beside them. Resolves when it is done;
   * a plan this run was already handed to (a reattach after a restart) is left to the run in progress.
   */
  async afterServiceRun(id: string, run: ServiceRun): Promise<void> {
    const s = this.svc.get(id);
    if (s.serviceRun?.transferId === run.transferId && s.state !== 'planned') return;
    if (s.state !== 'planned') throw new ConflictError('This plan has already run: plan again to verify what the service copied');
    s.serviceRun = run;
    s.runStartedAt = run.startedAt ?? new Date().toISOString();
    await this.flow(s, 'verify');
  }

  confirmDeletions(id: string): void {
    const s = this.svc.get(id);
    if (s.state !== 'needs-confirmation') throw new ConflictError('This migration is not waiting for a confirmation');
    s.state = 'deleting';
    s.message = undefined;
    void this.flow(s, 'deletions', true);
  }

  cancel(s: MigrationSummary): void {
    const cur = this.current.get(s.id) ?? {};
    cur.cancelled = true;
    this.current.set(s.id, cur);
    if (cur.jobId) this.svc.deps.jobs.cancel({ id: cur.jobId });
    cur.verify?.abort();
    if (s.state === 'needs-confirmation') void this.finish(s, 'cancelled', 'Cancelled before any deletion');
  }

  resume(s: MigrationSummary): void {
    const step = s.state === 'running' ? 'copy' : s.state === 'deleting' ? 'deletions' : 'verify';
    // The job of the step it stopped in (resumed by the job manager), when that step had started one.
    const last = s.jobIds[s.jobIds.length - 1];
    const kind = last === undefined ? undefined : this.kindOf(last);
    const own = step === 'copy' ? kind === 'copy' : step === 'deletions' ? kind === 'delete' || kind === 'move' : false;
    void this.flow(s, step, s.state === 'deleting', own ? last : undefined);
  }

  private async flow(s: MigrationSummary, from: 'copy' | 'deletions' | 'verify', confirmed = false, resumeJob?: string): Promise<void> {
    const cur = this.current.get(s.id) ?? {};
    this.current.set(s.id, cur);
    try {
      await this.svc.save(s);
      if (from === 'copy') {
        const done = await this.copy(s, resumeJob);
        if (done?.state === 'cancelled' || cur.cancelled) return await this.finish(s, 'cancelled', 'Cancelled: what was copied stays; plan again to go on');
        from = 'deletions';
        resumeJob = undefined;
      }
      const copyFailed = from === 'deletions' && s.deletionsPlanned > 0 ? this.copyFailures(s) : 0;
      if (copyFailed > 0) {
        // As rclone does: after any copy error no deletion runs, since what the mirror deletes may be what it failed to copy.
        const note = deletionsSkippedNote(copyFailed);
        if (!s.notes.includes(note)) s.notes.push(note);
      } else if (from === 'deletions' && s.deletionsPlanned > 0) {
        const over = confirmed ? undefined : deletionCapExceeded(s);
        if (over !== undefined) {
          s.state = 'needs-confirmation';
          s.message = over;
          await this.svc.save(s);
          return;
        }
        s.state = 'deleting';
        await this.svc.save(s);
        const done = await this.deletions(s, resumeJob);
        if (done?.state === 'cancelled' || cur.cancelled) return await this.finish(s, 'cancelled', 'Cancelled during the deletions');
      }
      const compared = await this.verify(s, cur);
      if (cur.cancelled) return await this.finish(s, 'cancelled', 'Cancelled during the verification');
      const diff = s.differences ?? 0;
      const service = s.serviceRun;
      if (service && service.state !== 'succeeded') {
        const why = `${service.serviceState}${service.errors[0] ? `: ${service.errors[0]}` : ''}`;
        return await this.finish(s, service.state, `${service.engineName} ${service.state === 'cancelled' ? 'was cancelled' : 'failed'} (${why}); the verification found ${diff} differences: see the report`);
      }
      const failed = s.jobIds.map((j) => this.summaryOf(j)).filter((j): j is JobSummary => j?.state === 'failed');
      const skipped = s.notes.find((n) => n.startsWith(DELETIONS_SKIPPED));
      if (failed.length > 0 || skipped !== undefined) {
        const n = failed.reduce((t, j) => t + j.filesFailed, 0);
        return await this.finish(s, 'failed', `${n} objects failed (see the report); the verification found ${diff} differences${skipped === undefined ? '' : `. ${skipped}`}`);
      }
      return await this.finish(s, diff > 0 ? 'completed-with-differences' : 'completed', diff > 0 ? `The verification found ${diff} differences: see the report` : verifiedMessage(compared));
    } catch (e) {
      this.svc.fail(s, undefined, e);
      await this.report(s);
      await this.svc.saveOrReport(s);
      await this.svc.deps.onRunFinished?.(s);
    } finally {
      if (!['running', 'deleting', 'verifying'].includes(s.state)) this.current.delete(s.id);
    }
  }

  /** Files the run's copy jobs could not copy (a copy job that failed as a whole counts at least one). */
  private copyFailures(s: MigrationSummary): number {
    let n = 0;
    for (const id of s.jobIds) {
      const j = this.summaryOf(id);
      if (j?.kind === 'copy') n += j.state === 'failed' ? Math.max(1, j.filesFailed) : j.filesFailed;
    }
    return n;
  }

  private kindOf(jobId: string): JobKind | undefined {
    return this.summaryOf(jobId)?.kind;
  }

  private summaryOf(jobId: string): JobSummary | undefined {
    try {
      return this.svc.deps.jobs.get(jobId).summary();
    } catch {
      return undefined;
    }
  }

  private async finish(s: MigrationSummary, state: 'completed' | 'completed-with-differences' | 'failed' | 'cancelled', message: string): Promise<void> {
    s.state = state;
    s.message = message;
    s.finishedAt = new Date().toISOString();
    await this.report(s);
    await this.svc.saveOrReport(s);
    await this.svc.deps.onRunFinished?.(s);
    log.info(`migration ${s.id}: ${state}: ${message}`);
  }

  private async report(s: MigrationSummary): Promise<void> {
    try {
      s.report = await buildReport(this.svc, s);
    } catch (e) {
      log.warn(`report of migration ${s.id} could not be built`, e);
    }
  }

  private places(s: MigrationSummary): { src: (key: string) => string; dst: Array<(key: string) => string>; dstPrefix: string[] } {
    const src = this.svc.deps.resolve(s.request.source).location;
    const srcPrefix = asPrefix(src.key);
    const dsts = s.request.destinations.map((u) => this.svc.deps.resolve(u).location);
    return {
      src: (key) => formatLocation({ ...src, key: srcPrefix + key }),
      dst: dsts.map((d) => (key: string) => formatLocation({ ...d, key: asPrefix(d.key) + key })),
      dstPrefix: dsts.map((d) => asPrefix(d.key)),
    };
  }

  private async startJob(s: MigrationSummary, kind: JobKind, title: string, files: PlannedFile[], resumeJob: string | undefined): Promise<JobSummary | undefined> {
    const jobs = this.svc.deps.jobs;
    let jobId = resumeJob;
    if (jobId === undefined || !this.summaryOf(jobId)) {
      if (files.length === 0) return undefined;
      const o = s.request.options;
      const options = {
        // A quarantine move never replaces an earlier quarantined copy: a second one of a key takes the next free name.
        overwrite: kind === 'move' ? ('keepBoth' as const) : ('always' as const),
        verify: true,
        allowCloudPull: o.allowCloudPull,
        preserveMetadata: o.preserveMetadata,
        allowServerSide: o.allowServerSide,
        ...(o.storageClass === undefined ? {} : { storageClass: o.storageClass }),
        // A deletion is a checked run (jobs/retention-runner.ts): each object is removed only while it is still the
        // version the plan listed (same ETag or size, not modified since planning began), and only that version
        // (If-Match / ifGenerationMatch); anything else stays, reported as changed since the plan.
        // A quarantine move is checked the same way before each object is moved.
        ...(kind === 'delete' || kind === 'move' ? { unchangedBefore: s.createdAt } : {}),
      };
      jobId = jobs.startPlanned({ kind, title, sources: [s.request.source], ...(kind === 'delete' ? {} : { destination: s.request.destinations[0] ?? '' }), options, files }).id;
      s.jobIds.push(jobId);
      await this.svc.save(s);
    }
    const cur = this.current.get(s.id);
    if (cur) cur.jobId = jobId;
    if (cur?.cancelled) jobs.cancel({ id: jobId });
    return jobs.whenFinished(jobId);
  }

  private async copy(s: MigrationSummary, resumeJob: string | undefined): Promise<JobSummary | undefined> {
    const at = this.places(s);
    const files: PlannedFile[] = [];
    if (resumeJob === undefined || !this.summaryOf(resumeJob)) {
      for (const [d] of s.request.destinations.entries()) {
        for (const group of ['new', 'changed'] as const) {
          for await (const item of this.svc.store.read<PlanItem>(s.id, listName(group, d))) {
            const key = item.key ?? '';
            const destKey = item.destKey ?? key;
            const f: PlannedFile = { source: at.src(key), destination: at.dst[d]?.(destKey) ?? '', size: item.size, within: at.dstPrefix[d] ?? '' };
            if (destKey !== key) f.renamedTo = destKey;
            files.push(f);
          }
        }
      }
    }
    const n = s.request.destinations.length;
    return this.startJob(s, 'copy', `Migrate ${s.request.source} to ${n === 1 ? (s.request.destinations[0] ?? '') : `${n} destinations`}`, files, resumeJob);
  }

  private async deletions(s: MigrationSummary, resumeJob: string | undefined): Promise<JobSummary | undefined> {
    const at = this.places(s);
    const quarantine = s.request.deletions.quarantinePrefix;
    const files: PlannedFile[] = [];
    if (resumeJob === undefined || !this.summaryOf(resumeJob)) {
      for (const [d] of s.request.destinations.entries()) {
        const dst = this.svc.deps.resolve(s.request.destinations[d] ?? '').location;
        for await (const item of this.svc.store.read<PlanItem>(s.id, listName('extra', d))) {
          const uri = at.dst[d]?.(item.destKey ?? '') ?? '';
          // Nothing is removed through a link out of the destination folder, nor written through one out of the quarantine.
          const planned = { source: uri, size: item.size, sourceWithin: at.dstPrefix[d] ?? '', ...(item.etag === undefined ? {} : { etag: item.etag }) };
          if (quarantine === undefined) {
            files.push(planned);
          } else {
            const folder = (at.dstPrefix[d] ?? '') + asPrefix(quarantine);
            files.push({ ...planned, destination: formatLocation({ ...dst, key: folder + (item.destKey ?? '') }), within: folder });
          }
        }
      }
    }
    const verb = quarantine === undefined ? 'Delete' : 'Quarantine';
    return this.startJob(s, quarantine === undefined ? 'delete' : 'move', `${verb} ${files.length || s.deletionsPlanned} objects not in ${s.request.source}`, files, resumeJob);
  }

  /** Plans again by checksum and lists what differs; returns how the objects on both sides were compared (kind -> count). */
  private async verify(s: MigrationSummary, cur: { verify?: AbortController }): Promise<Record<string, number>> {
    s.state = 'verifying';
    await this.svc.save(s);
    const vid = `${s.id}-verify`;
    await this.svc.store.remove(vid);
    await this.svc.store.clear(s.id, 'differences');
    cur.verify = new AbortController();
    const writer = await this.svc.store.writer(vid);
    const request = { ...s.request, compare: 'size+checksum' as const };
    const out = await planMigration(this.svc.deps, {
      request,
      ...(s.paths === undefined ? {} : { paths: s.paths }),
      writer,
      signal: cur.verify.signal,
      onProgress: (compared) => this.svc.deps.emit('plans:progress', { id: s.id, state: 'verifying', compared }),
    });
    const deleted = s.request.mode === 'mirror' && s.request.deletions.enabled;
    const diffs = await this.svc.store.writer(s.id);
    let count = 0;
    for (const [d] of out.destinations.entries()) {
      for (const group of deleted ? (['new', 'changed', 'extra'] as const) : (['new', 'changed'] as const)) {
        for await (const item of this.svc.store.read<PlanItem>(vid, listName(group, d))) {
          const reason = group === 'new' ? 'missing at the destination' : group === 'extra' ? 'still at the destination, not in the source' : (item.reason ?? 'differs');
          await diffs.add('differences', { ...item, reason });
          count++;
        }
      }
    }
    await diffs.flush();
    s.differences = count;
    const kinds: Record<string, number> = {};
    for (const d of out.destinations) for (const [k, n] of Object.entries(d.checksumKinds)) kinds[k] = (kinds[k] ?? 0) + n;
    return kinds;
  }
}
