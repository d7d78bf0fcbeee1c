import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScheduleTarget } from '../../../shared/contract/settings.channels';
import { nextDue, Scheduler, type ScheduleClock } from './scheduler';

/** A clock the test moves: timers fire when it passes their time, and nothing really waits. */
class FakeClock implements ScheduleClock {
  private timers: Array<{ at: number; fn: () => void }> = [];
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  setTimer(at: Date, fn: () => void): () => void {
    const t = { at: at.getTime(), fn };
    this.timers.push(t);
    return () => (this.timers = this.timers.filter((x) => x !== t));
  }
  advance(to: Date): void {
    this.current = to;
    for (const t of this.timers.filter((x) => x.at <= to.getTime())) {
      this.timers = this.timers.filter((x) => x !== t);
      t.fn();
    }
  }
}

interface Deferred {
  resolve(v: { ok: boolean; message?: string }): void;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-scheduler-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function harness(clock: FakeClock) {
  const started: ScheduleTarget[] = [];
  const pending: Deferred[] = [];
  const notices: Array<{ level: string; message: string }> = [];
  const scheduler = new Scheduler({
    dataDir: dir,
    clock,
    run: async (target) => {
      started.push(target);
      let resolve!: Deferred['resolve'];
      const finished = new Promise<{ ok: boolean; message?: string }>((r) => (resolve = r));
      pending.push({ resolve });
      return { runId: `run-${started.length}`, finished };
    },
    notify: (n) => notices.push(n),
  });
  return { scheduler, started, pending, notices };
}

const at = (h: number, m: number, day = 7): Date => new Date(2026, 11, day, h, m);

describe('Scheduler', () => {
  it('computes due times: once, daily, weekly (local time)', () => {
    expect(nextDue({ kind: 'daily', time: '08:00' }, at(7, 59))).toEqual(at(8, 0));
    expect(nextDue({ kind: 'daily', time: '08:00' }, at(8, 0))).toEqual(at(8, 0, 8));
    // 2026-12-07 is a Monday; day 3 is Wednesday.
    expect(nextDue({ kind: 'weekly', day: 3, time: '19:30' }, at(9, 0))).toEqual(at(19, 30, 9));
    expect(nextDue({ kind: 'once', at: at(9, 0).toISOString() }, at(8, 0))).toEqual(at(9, 0));
    expect(nextDue({ kind: 'once', at: at(9, 0).toISOString() }, at(10, 0))).toBeUndefined();
  });

  it('fires at the due time of the injected clock, skips a run whose previous run is still going, and notifies a failure', async () => {
    const clock = new FakeClock(at(7, 0));
    const h = harness(clock);
    await h.scheduler.start();
    const s = await h.scheduler.save({ target: { type: 'profile', name: 'nightly' }, when: { kind: 'daily', time: '08:00' } });
    expect(s.nextRun).toBe(at(8, 0).toISOString());
    clock.advance(at(7, 59));
    expect(h.started).toHaveLength(0);
    clock.advance(at(8, 0));
    expect(h.started).toEqual([{ type: 'profile', name: 'nightly' }]);
    await Promise.resolve();
    // The next day's run comes while the first is still going: skipped, with a notice.
    clock.advance(at(8, 0, 8));
    expect(h.started).toHaveLength(1);
    expect(h.notices.at(-1)).toMatchObject({ level: 'info', message: expect.stringMatching(/previous run is still going on: this run was skipped/) });
    expect(h.scheduler.list()[0]?.lastRun?.outcome).toBe('skipped');
    h.pending[0]?.resolve({ ok: false, message: 'the bucket is gone' });
    await h.scheduler.idle();
    expect(h.notices.at(-1)).toMatchObject({ level: 'error', message: 'The migration profile "nightly" failed on its scheduled run: the bucket is gone' });
    expect(h.scheduler.list()[0]?.lastRun).toMatchObject({ outcome: 'failed', runId: 'run-1' });
    expect(h.scheduler.list()[0]?.nextRun).toBe(at(8, 0, 9).toISOString());
    await h.scheduler.close();
  });

  it('runs a due time missed while closed once at start (not once per missed day), and says so', async () => {
    const saved = { schedules: [{ id: 'a', target: { type: 'scan', uri: 's3://m/b/' }, when: { kind: 'daily', time: '08:00' }, nextRun: at(8, 0, 3).toISOString() }] };
    await writeFile(path.join(dir, 'schedules.json'), JSON.stringify(saved));
    const clock = new FakeClock(at(12, 0));
    const h = harness(clock);
    await h.scheduler.start();
    expect(h.started).toEqual([{ type: 'scan', uri: 's3://m/b/' }]);
    expect(h.notices[0]?.message).toMatch(/was due at .* while Skyferry was closed: it runs now/);
    const s = h.scheduler.list()[0];
    expect(s?.lastRun).toMatchObject({ outcome: 'running', missed: at(8, 0, 3).toISOString() });
    expect(s?.nextRun).toBe(at(8, 0, 8).toISOString());
    h.pending[0]?.resolve({ ok: true });
    await h.scheduler.idle();
    await h.scheduler.close();
    // Restored from the file as saved: the next start has nothing missed.
    const again = harness(new FakeClock(at(13, 0)));
    await again.scheduler.start();
    expect(again.started).toHaveLength(0);
    expect(again.scheduler.list()[0]?.lastRun).toMatchObject({ outcome: 'completed', missed: at(8, 0, 3).toISOString() });
    await again.scheduler.close();
  });

  it('a one-time schedule runs once and has no next run after', async () => {
    const clock = new FakeClock(at(7, 0));
    const h = harness(clock);
    await h.scheduler.start();
    await h.scheduler.save({ target: { type: 'profile', name: 'p' }, when: { kind: 'once', at: at(9, 0).toISOString() } });
    clock.advance(at(9, 1));
    expect(h.started).toHaveLength(1);
    expect(h.scheduler.list()[0]?.nextRun).toBeUndefined();
    h.pending[0]?.resolve({ ok: true });
    await h.scheduler.idle();
    await h.scheduler.close();
  });
});
