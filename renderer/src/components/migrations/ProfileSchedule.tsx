import { useState } from 'react';
import type { Profile, Schedule, ScheduleWhen } from '../../../../shared/contract';
import { useStore } from '../../store';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function describeWhen(when: ScheduleWhen): string {
  if (when.kind === 'once') return `once, ${new Date(when.at).toLocaleString()}`;
  if (when.kind === 'daily') return `daily at ${when.time}`;
  return `every ${DAYS[when.day] ?? ''} at ${when.time}`;
}

function lastRunText(s: Schedule): string | null {
  const r = s.lastRun;
  if (!r) return null;
  const when = new Date(r.at).toLocaleString();
  const missed = r.missed ? ` (made up at start for ${new Date(r.missed).toLocaleString()}, missed while Skyferry was closed)` : '';
  const outcome = { running: 'running since', completed: 'ran', failed: 'failed', skipped: 'skipped' }[r.outcome];
  return `Last: ${outcome} ${when}${missed}${r.message && r.outcome !== 'completed' ? ` · ${r.message}` : ''}`;
}

/** The schedules of one target (a profile's runs, a bucket's scans), each with its next and last run, and a form to add one. */
export function ScheduleEditor({ target, label }: { target: { type: 'profile'; name: string } | { type: 'scan'; uri: string }; label: string }) {
  const all = useStore((s) => s.schedules);
  const mine = all.filter((s) => (target.type === 'profile' ? s.target.type === 'profile' && s.target.name === target.name : s.target.type === 'scan' && s.target.uri === target.uri));
  const [kind, setKind] = useState<ScheduleWhen['kind']>('daily');
  const [time, setTime] = useState('02:00');
  const [day, setDay] = useState(1);
  const [at, setAt] = useState('');
  const add = (): void => {
    const when: ScheduleWhen = kind === 'once' ? { kind, at: new Date(at).toISOString() } : kind === 'daily' ? { kind, time } : { kind, day, time };
    void useStore.getState().saveSchedule(target, when);
  };
  return (
    <div className="schedule-editor" aria-label={`Schedules of ${label}`}>
      <ul className="schedule-list">
        {mine.map((s) => (
          <li key={s.id}>
            <span>
              Runs {describeWhen(s.when)}
              {s.nextRun ? ` · next ${new Date(s.nextRun).toLocaleString()}` : ' · no further run'}
            </span>
            {lastRunText(s) && <span className={`muted${s.lastRun?.outcome === 'failed' ? ' field-error' : ''}`}>{lastRunText(s)}</span>}
            <button type="button" className="danger-link" aria-label={`Remove the schedule ${describeWhen(s.when)} of ${label}`} onClick={() => void useStore.getState().removeSchedule(s.id)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="schedule-form"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <select aria-label={`How often to run ${label}`} value={kind} onChange={(e) => setKind(e.target.value as ScheduleWhen['kind'])}>
          <option value="once">Once</option>
          <option value="daily">Daily</option>
          <option value="weekly">Weekly</option>
        </select>
        {kind === 'weekly' && (
          <select aria-label="Day of the week" value={day} onChange={(e) => setDay(Number(e.target.value))}>
            {DAYS.map((d, i) => (
              <option key={d} value={i}>
                {d}
              </option>
            ))}
          </select>
        )}
        {kind === 'once' ? (
          <input type="datetime-local" aria-label="Date and time" value={at} required onChange={(e) => setAt(e.target.value)} />
        ) : (
          <input type="time" aria-label="Time of day" value={time} required onChange={(e) => setTime(e.target.value)} />
        )}
        <button type="submit">Add schedule</button>
      </form>
    </div>
  );
}

/** Keep in sync: the status of a profile's watched folder (state, last sync, pending changes) with Stop, or Start. */
function KeepInSync({ profile }: { profile: Profile }) {
  const status = useStore((s) => s.syncs[profile.name]);
  if (!profile.request.source.startsWith('file://')) return null;
  if (!status) {
    return (
      <button type="button" aria-label={`Keep ${profile.name} in sync`} onClick={() => void useStore.getState().startSync(profile.name)}>
        Keep in sync
      </button>
    );
  }
  const state = { comparing: 'Comparing the whole folder', watching: 'Watching for changes', syncing: 'Sending changes', failed: 'The last sync failed' }[status.state];
  return (
    <p className="sync-status" role="status" aria-label={`Sync of ${profile.name}`}>
      Keeping {status.folder} in sync: {state}
      {status.pending > 0 ? ` · ${status.pending} change${status.pending === 1 ? '' : 's'} pending` : ''}
      {status.lastSync ? ` · last sync ${new Date(status.lastSync).toLocaleString()}` : ''}
      {status.message ? ` · ${status.message}` : ''}{' '}
      <button type="button" aria-label={`Stop keeping ${profile.name} in sync`} onClick={() => void useStore.getState().stopSync(profile.name)}>
        Stop
      </button>
    </p>
  );
}

/** Under a saved profile: its schedules and, for a local folder source, keep in sync. */
export function ProfileSchedule({ profile }: { profile: Profile }) {
  const [open, setOpen] = useState(false);
  const count = useStore((s) => s.schedules.filter((x) => x.target.type === 'profile' && x.target.name === profile.name).length);
  return (
    <div className="profile-schedule">
      <KeepInSync profile={profile} />
      <button type="button" aria-expanded={open} aria-label={`Schedules of ${profile.name}`} onClick={() => setOpen(!open)}>
        {count > 0 ? `Scheduled (${count})` : 'Schedule…'}
      </button>
      {open && <ScheduleEditor target={{ type: 'profile', name: profile.name }} label={profile.name} />}
    </div>
  );
}
