import { useEffect, useState } from 'react';
import { useStore } from '../../store';
import { ScheduleEditor } from '../migrations/ProfileSchedule';

/** Scans of one bucket or prefix on a schedule, so that the cost history stays current. */
export function ScanSchedule({ uri }: { uri: string }) {
  const [open, setOpen] = useState(false);
  const count = useStore((s) => s.schedules.filter((x) => x.target.type === 'scan' && x.target.uri === uri).length);
  useEffect(() => {
    void useStore.getState().loadSchedules();
  }, []);
  return (
    <div className="scan-schedule">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {count > 0 ? `Scheduled scans (${count})` : 'Scan on a schedule…'}
      </button>
      {open && <ScheduleEditor target={{ type: 'scan', uri }} label={uri} />}
    </div>
  );
}
