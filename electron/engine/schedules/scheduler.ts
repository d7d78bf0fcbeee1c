import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { ScheduleSchema, type Schedule, type ScheduleTarget, type ScheduleWhen } from '../../../shared/contract/settings.channels';
import { NotFoundError } from '../../../shared/errors';
import { writeFileAtomic } from '../atomic-write';
import { createLogger } from '../log';

const log = createLogger('schedules');

/** The timer is re-armed at least this often, so a changed system clock or a sleep delays a run by a minute at most. */
const MAX_TIMER_MS = 60_000;

/** Wall-clock time and one timer: the real ones in the app, a fake one in tests (no real waiting). */
export interface ScheduleClock {
  now(): Date;
  /** Calls `fn` at (or after) `at`; answers a function that cancels it. */
  setTimer(at: Date, fn: () => void): () => void;
}

export const realScheduleClock: ScheduleClock = {
  now: () => new Date(),
  setTimer(at, fn) {
    const t = setTimeout(fn, Math.min(Math.max(at.getTime() - Date.now(), 0), MAX_TIMER_MS));
    t.unref();
    return () => clearTimeout(t);
  },
};

/** A started run: its id (migration or scan) and how it ended. */
export interface RunHandle {
  runId: string;
  finished: Promise<{ ok: boolean; message?: string }>;
}

export interface SchedulerDeps {
  dataDir: string;
  clock?: ScheduleClock;
  /** Starts the target's run (a profile's plan-and-run, a bucket scan). */
  run(target: ScheduleTarget): Promise<RunHandle>;
  /** A run failed, was skipped, or made up for a missed time: the UI's toast, the desktop's notification. */
  notify(notice: { scheduleId: string; level: 'info' | 'error'; message: string }): void;
  /** Told after every change of the list (the desktop shell keeps its tray while a schedule exists). */
  onChange?(schedules: readonly Schedule[]): void;
  /** Keep the list without running anything (the command line: the app runs the schedules). */
  passive?: boolean;
}

const FileSchema = z.object({ schedules: z.array(ScheduleSchema) });

/** The next due time strictly after `from`, if any (croner reads the pattern in local time). */
export function nextDue(when: ScheduleWhen, from: Date): Date | undefined {
  if (when.kind === 'once') {
    const at = new Date(when.at);
    return at.getTime() > from.getTime() ? at : undefined;
  }
  const [hour, minute] = when.time.split(':').map(Number);
  const pattern = `${minute ?? 0} ${hour ?? 0} * * ${when.kind === 'weekly' ? String(when.day) : '*'}`;
  const cron = new Cron(pattern, { paused: true });
  try {
    return cron.nextRun(from) ?? undefined;
  } finally {
    cron.stop();
  }
}

export function describeTarget(target: ScheduleTarget): string {
  return target.type === 'profile' ? `The migration profile "${target.name}"` : `The cost scan of ${target.uri}`;
}

/**
 * Runs saved migration profiles and cost scans on a schedule (once, daily, weekly at a time), kept in
 * dataDir/schedules.json. A due time missed while the app was closed runs once at start, whatever number of times
 * were missed, and says so; a run due while the schedule's previous run is still going is skipped with a notice.
 */
export class Scheduler {
  private readonly file: string;
  private readonly clock: ScheduleClock;
  private readonly schedules = new Map<string, Schedule>();
  /** Schedules whose run is going on now. */
  private readonly running = new Set<string>();
  private readonly runs = new Set<Promise<void>>();
  private cancelTimer: (() => void) | undefined;
  private saving: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.file = path.join(deps.dataDir, 'schedules.json');
    this.clock = deps.clock ?? realScheduleClock;
  }

  /** Restores the saved schedules; each whose due time passed while the app was closed runs once now. */
  async start(): Promise<void> {
    try {
      const saved = FileSchema.parse(JSON.parse(await readFile(this.file, 'utf8')));
      for (const s of saved.schedules) this.schedules.set(s.id, s);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('the saved schedules could not be read; starting with none', e);
    }
    const now = this.clock.now();
    if (this.deps.passive) return;
    for (const s of this.schedules.values()) {
      if (s.lastRun?.outcome === 'running') s.lastRun = { ...s.lastRun, outcome: 'failed', message: 'The app closed while this run was going on' };
      const due = s.nextRun === undefined ? undefined : new Date(s.nextRun);
      if (due && due.getTime() <= now.getTime()) this.fire(s, now, due);
      else if (!due) this.advance(s, now);
    }
    this.changed();
  }

  list(): Schedule[] {
    return [...this.schedules.values()].map((s) => structuredClone(s));
  }

  async save(input: { id?: string | undefined; target: ScheduleTarget; when: ScheduleWhen }): Promise<Schedule> {
    const old = input.id === undefined ? undefined : this.schedules.get(input.id);
    const s: Schedule = { id: input.id ?? randomUUID(), target: input.target, when: input.when, ...(old?.lastRun ? { lastRun: old.lastRun } : {}) };
    this.advance(s, this.clock.now());
    this.schedules.set(s.id, s);
    this.changed();
    await this.saving;
    return structuredClone(s);
  }

  async remove(id: string): Promise<void> {
    if (!this.schedules.delete(id)) throw new NotFoundError('There is no such schedule: it was removed already');
    this.changed();
    await this.saving;
  }

  /** Removes every schedule of a profile that no longer exists (called when one is removed). */
  async forgetProfile(name: string): Promise<void> {
    let any = false;
    for (const s of this.schedules.values()) {
      if (s.target.type === 'profile' && s.target.name === name) any = this.schedules.delete(s.id) || any;
    }
    if (any) {
      this.changed();
      await this.saving;
    }
  }

  /** Runs every schedule that is due now. The timer calls it; tests with a fake clock may too. */
  tick(): void {
    const now = this.clock.now();
    let fired = false;
    for (const s of this.schedules.values()) {
      if (s.nextRun !== undefined && new Date(s.nextRun).getTime() <= now.getTime()) {
        this.fire(s, now);
        fired = true;
      }
    }
    // The real timer wakes at least every minute; a wake with nothing due only re-arms it.
    if (fired) this.changed();
    else this.arm();
  }

  /** Waits for the runs started so far to end (tests, close). */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer?.();
    await this.saving;
  }

  private advance(s: Schedule, from: Date): void {
    const next = nextDue(s.when, from);
    if (next) s.nextRun = next.toISOString();
    else delete s.nextRun;
  }

  /** Starts one run of `s` now (or skips it), then moves its due time past now. */
  private fire(s: Schedule, now: Date, missed?: Date): void {
    this.advance(s, now);
    const what = describeTarget(s.target);
    const at = now.toISOString();
    if (this.running.has(s.id)) {
      s.lastRun = { at, outcome: 'skipped', message: 'Its previous run was still going on' };
      this.deps.notify({ scheduleId: s.id, level: 'info', message: `${what} was due but its previous run is still going on: this run was skipped` });
      return;
    }
    this.running.add(s.id);
    const missedAt = missed?.toISOString();
    s.lastRun = { at, outcome: 'running', ...(missedAt === undefined ? {} : { missed: missedAt }) };
    if (missed) this.deps.notify({ scheduleId: s.id, level: 'info', message: `${what} was due at ${missed.toLocaleString()} while Skyferry was closed: it runs now` });
    const run = (async () => {
      let runId: string | undefined;
      let outcome: { ok: boolean; message?: string };
      try {
        const handle = await this.deps.run(s.target);
        runId = handle.runId;
        if (s.lastRun?.at === at) s.lastRun = { ...s.lastRun, runId };
        this.changed();
        outcome = await handle.finished;
      } catch (e) {
        outcome = { ok: false, message: e instanceof Error ? e.message : String(e) };
      }
      this.running.delete(s.id);
      s.lastRun = { at, outcome: outcome.ok ? 'completed' : 'failed', ...(runId === undefined ? {} : { runId }), ...(outcome.message === undefined ? {} : { message: outcome.message }), ...(missedAt === undefined ? {} : { missed: missedAt }) };
      if (!outcome.ok) this.deps.notify({ scheduleId: s.id, level: 'error', message: `${what} failed on its scheduled run${outcome.message ? `: ${outcome.message}` : ''}` });
      if (this.schedules.has(s.id)) this.changed();
    })();
    this.runs.add(run);
    void run.finally(() => this.runs.delete(run));
  }

  /** Saves the list (one write after another) and arms the timer for the earliest due time. */
  private changed(): void {
    const data = JSON.stringify({ schedules: [...this.schedules.values()] }, null, 2);
    this.saving = this.saving.then(() => writeFileAtomic(this.file, data)).catch((e: unknown) => log.warn('the schedules could not be saved', e));
    this.deps.onChange?.(this.list());
    this.arm();
  }

  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.closed || this.deps.passive) return;
    let earliest: number | undefined;
    for (const s of this.schedules.values()) {
      const t = s.nextRun === undefined ? undefined : new Date(s.nextRun).getTime();
      if (t !== undefined && (earliest === undefined || t < earliest)) earliest = t;
    }
    if (earliest !== undefined) this.cancelTimer = this.clock.setTimer(new Date(earliest), () => this.tick());
  }
}
