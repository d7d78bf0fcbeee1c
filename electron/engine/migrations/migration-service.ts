import { randomUUID } from 'node:crypto';
import { ConflictError, FatalError, NotFoundError, toErrorInfo } from '../../../shared/errors';
import type { MigrationRequest, MigrationState, MigrationSummary, PlanGroup, PlanItem } from '../../../shared/contract/migrations.channels';
import { createLogger } from '../log';
import { listName, planMigration } from './planner';
import { PlanStore } from './plan-store';
import { MigrationRunner } from './run';
import type { MigrationDeps, MigrationHost } from './types';

const log = createLogger('migrations');
const FINISHED: readonly MigrationState[] = ['completed', 'completed-with-differences', 'failed', 'cancelled'];

/**
 * Migrations as the UI sees them: one id for a plan and everything that follows (run, deletions, verification,
 * report). Summaries live in memory and on disk (history survives a restart); the lists stay on disk.
 */
export class MigrationService implements MigrationHost {
  readonly store: PlanStore;
  private readonly all = new Map<string, MigrationSummary>();
  private readonly planning = new Map<string, AbortController>();
  /** Each plan in progress until its last state is on disk, by migration id. */
  private readonly planned = new Map<string, Promise<void>>();
  readonly runner: MigrationRunner;

  constructor(readonly deps: MigrationDeps) {
    this.store = new PlanStore(deps.dataDir);
    this.runner = new MigrationRunner(this);
  }

  /** Loads history; a run the app was killed in comes back and goes on (its jobs resume in the job manager). */
  async restore(): Promise<void> {
    for (const s of await this.store.loadAll()) {
      this.all.set(s.id, s);
      if (s.state === 'planning') {
        this.fail(s, 'Planning was interrupted when Skyferry closed: plan again');
        await this.saveOrReport(s);
      } else if (s.state === 'running' || s.state === 'deleting' || s.state === 'verifying') {
        this.runner.resume(s);
      }
    }
  }

  /** Plans `request` (only `paths` of it when given: a kept-in-sync folder's changes) in the background. */
  create(request: MigrationRequest, name?: string, paths?: readonly string[]): { id: string; planned: Promise<void> } {
    const id = randomUUID();
    const summary: MigrationSummary = {
      id,
      ...(name === undefined ? {} : { name }),
      request,
      ...(paths === undefined ? {} : { paths: [...paths] }),
      state: 'planning',
      createdAt: new Date().toISOString(),
      plannedAt: null,
      runStartedAt: null,
      finishedAt: null,
      destinations: [],
      source: { objects: 0, bytes: 0, filteredOut: 0 },
      reads: { listPages: 0, heads: 0 },
      notes: [],
      jobIds: [],
      deletionsPlanned: 0,
      differences: null,
    };
    this.all.set(id, summary);
    const controller = new AbortController();
    this.planning.set(id, controller);
    const planned = this.plan(summary, controller.signal).finally(() => {
      this.planning.delete(id);
      this.planned.delete(id);
    });
    this.planned.set(id, planned);
    return { id, planned };
  }

  /**
   * The engine is closing: nothing more is written (a run's state stays as it was on disk, so it resumes on the
   * next start; a plan cut short is reported there as interrupted), and planning in progress stops.
   */
  async close(): Promise<void> {
    this.store.close();
    for (const c of this.planning.values()) c.abort();
    await Promise.allSettled([...this.planned.values()]);
  }

  /**
   * Starts the run of a plan once the plan's own last save is on disk: the summary reads "planned" just before that
   * save, and a run started then would race it (the plan's "planned" could land after the run's "running").
   */
  async run(id: string): Promise<void> {
    await this.planned.get(id);
    this.runner.start(id);
  }

  private async plan(s: MigrationSummary, signal: AbortSignal): Promise<void> {
    try {
      await this.save(s);
      const writer = await this.store.writer(s.id);
      const out = await planMigration(this.deps, {
        request: s.request,
        ...(s.paths === undefined ? {} : { paths: s.paths }),
        writer,
        signal,
        onProgress: (compared) => this.deps.emit('plans:progress', { id: s.id, state: s.state, compared }),
        clearDestination: async (d) => {
          for (const g of ['new', 'changed', 'unchanged', 'extra', 'names', 'metadata'] as const) await this.store.clear(s.id, listName(g, d));
        },
      });
      s.destinations = out.destinations;
      s.source = out.source;
      s.reads = out.reads;
      s.notes = out.notes;
      s.deletionsPlanned = s.request.mode === 'mirror' && s.request.deletions.enabled ? out.destinations.reduce((n, d) => n + d.extra.count, 0) : 0;
      s.plannedAt = new Date().toISOString();
      s.state = 'planned';
      if (s.paths) {
        const n = s.paths.length;
        s.notes.push(`Only the ${n} changed ${n === 1 ? 'path of a kept-in-sync folder was' : 'paths of a kept-in-sync folder were'} compared, not the whole folder.`);
      }
      if (s.request.mode === 'mirror' && !s.request.deletions.enabled) {
        s.notes.push('Mirror without deletions: objects only in the destination are listed as extra and left in place.');
      }
    } catch (e) {
      if (signal.aborted) s.state = 'cancelled';
      else this.fail(s, undefined, e);
    }
    await this.saveOrReport(s);
  }

  get(id: string): MigrationSummary {
    const s = this.all.get(id);
    if (!s) throw new NotFoundError(`No migration ${id}: it may have been removed`);
    return s;
  }

  list(): MigrationSummary[] {
    return [...this.all.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async page(id: string, group: PlanGroup, dest: number, offset: number, limit: number): Promise<{ items: PlanItem[]; total: number }> {
    this.get(id);
    return this.store.page<PlanItem>(id, listName(group, dest), offset, limit);
  }

  cancel(id: string): void {
    const s = this.get(id);
    if (s.state === 'planning') this.planning.get(id)?.abort();
    else if (!FINISHED.includes(s.state) && s.state !== 'planned') this.runner.cancel(s);
  }

  async remove(id: string): Promise<void> {
    const s = this.get(id);
    if (!FINISHED.includes(s.state) && s.state !== 'planned') throw new ConflictError('That migration is still going: cancel it first');
    this.all.delete(id);
    await this.store.remove(id);
    await this.store.remove(`${id}-verify`);
  }

  /** Persists and announces a change of state; rejects with a FatalError that says why when it cannot be written. */
  async save(s: MigrationSummary): Promise<void> {
    try {
      await this.store.saveSummary(s);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : `${(e as NodeJS.ErrnoException).code ?? 'an error'} while writing`;
      throw new FatalError(`Skyferry could not save this migration's state (${why}): free some space or check the data folder, then plan again`, { cause: e });
    }
    this.announce(s);
  }

  /**
   * For the saves nothing above would catch (the end of a plan, of a run, a restore): a failure marks the migration
   * failed with the reason and announces it, so the user sees it, and never rejects.
   */
  async saveOrReport(s: MigrationSummary): Promise<void> {
    try {
      await this.save(s);
    } catch (e) {
      this.fail(s, undefined, e);
      this.announce(s);
    }
  }

  private announce(s: MigrationSummary): void {
    this.deps.emit('plans:progress', { id: s.id, state: s.state, compared: 0, ...(s.message === undefined ? {} : { message: s.message }) });
  }

  fail(s: MigrationSummary, message: string | undefined, cause?: unknown): void {
    const info = cause === undefined ? { code: 'fatal' as const, message: message ?? 'The migration failed' } : toErrorInfo(cause);
    s.state = 'failed';
    s.error = info;
    s.message = message ?? info.message;
    s.finishedAt = new Date().toISOString();
    if (cause !== undefined && info.code === 'fatal') log.error(`migration ${s.id} failed`, cause);
  }
}
