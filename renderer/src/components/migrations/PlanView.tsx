import { useState } from 'react';
import type { MigrationState, MigrationSummary } from '../../../../shared/contract';
import { formatCount, formatDate } from '../../format';
import { useStore } from '../../store';
import { isActiveCloudTransfer } from '../../store/cloudTransfers.slice';
import { JobRow } from '../TransfersPanel';
import { PlanSummary } from './PlanSummary';
import { ReportView } from './ReportView';
import { RunInCloud } from './RunInCloud';

export const STATE_LABEL: Record<MigrationState, string> = {
  planning: 'Building the plan',
  planned: 'Planned: nothing written yet',
  running: 'Copying',
  'needs-confirmation': 'Waiting for your confirmation',
  deleting: 'Removing extras',
  verifying: 'Verifying',
  completed: 'Completed',
  'completed-with-differences': 'Completed with differences',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const LIVE: readonly MigrationState[] = ['planning', 'running', 'deleting', 'verifying', 'needs-confirmation'];
const FINISHED: readonly MigrationState[] = ['completed', 'completed-with-differences', 'failed', 'cancelled'];

function SaveProfile({ m }: { m: MigrationSummary }) {
  const [name, setName] = useState(m.name ?? '');
  const save = useStore((s) => s.saveProfile);
  return (
    <form
      className="save-profile"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) void save(name.trim(), m.request);
      }}
    >
      <input type="text" aria-label="Profile name" placeholder="Profile name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      <button type="submit" disabled={!name.trim()}>
        Save as profile
      </button>
    </form>
  );
}

/** One migration: its plan, then its run (the jobs), the confirmation stop, the verification and the report. */
export function PlanView({ m }: { m: MigrationSummary }) {
  const progress = useStore((s) => s.migrationProgress[m.id]);
  const act = useStore((s) => s.migrationAction);
  const createPlan = useStore((s) => s.createPlan);
  // A cloud service copying this plan: running it here too would copy every file twice.
  const inTheCloud = useStore((s) => s.cloudTransfers.some((t) => t.migrationId === m.id && isActiveCloudTransfer(t)));
  const busy = m.state === 'planning' || m.state === 'verifying';
  const compared = progress && progress.state === m.state ? progress.compared : 0;
  return (
    <article className="plan-view" aria-label="Migration plan">
      <header className="plan-head">
        <div>
          <h2 className="plan-name">{m.name ?? 'Migration'}</h2>
          <p className="muted">
            {m.request.mode === 'mirror' ? 'Mirror' : 'Copy'} <span className="plan-name">{m.request.source}</span> to {m.request.destinations.length === 1 ? <span className="plan-name">{m.request.destinations[0]}</span> : `${m.request.destinations.length} destinations`} · compared by {m.request.compare} · {formatDate(m.createdAt)}
          </p>
        </div>
        <p className={`plan-state state-${m.state}`} role="status" data-testid="migration-state">
          {STATE_LABEL[m.state]}
        </p>
      </header>
      {busy && (
        <div className="plan-progress">
          <progress aria-label={m.state === 'planning' ? 'Planning progress' : 'Verification progress'} />
          <span>
            {m.state === 'planning' ? 'Listing and comparing' : 'Comparing again'}… {formatCount(compared)} objects compared
          </span>
        </div>
      )}
      {m.message && (
        <p className={m.state === 'failed' || m.state === 'needs-confirmation' ? 'test-result fail' : 'test-result ok'} role={m.state === 'needs-confirmation' ? 'alert' : undefined} data-testid="migration-message">
          {m.message}
        </p>
      )}
      <div className="dialog-buttons plan-actions">
        {m.state === 'planned' && !inTheCloud && (
          <button type="button" className="primary" onClick={() => void act('plans:run', m.id)}>
            Run
          </button>
        )}
        {m.state === 'planned' && inTheCloud && <span className="hint">A cloud service is copying this plan: it is verified here when that run ends.</span>}
        {m.state === 'needs-confirmation' && (
          <button type="button" className="danger" onClick={() => void act('plans:confirmDeletions', m.id)}>
            Confirm {formatCount(m.deletionsPlanned)} {m.request.deletions.quarantinePrefix ? 'moves to quarantine' : 'deletions'}
          </button>
        )}
        {LIVE.includes(m.state) && (
          <button type="button" onClick={() => void act('plans:cancel', m.id)}>
            Cancel
          </button>
        )}
        {(FINISHED.includes(m.state) || m.state === 'planned') && (
          <button
            type="button"
            onClick={() => {
              useStore.getState().setMigrationDraft({ request: m.request, ...(m.name === undefined ? {} : { name: m.name }) });
              useStore.getState().setOpenMigration(null);
            }}
          >
            Edit
          </button>
        )}
        {FINISHED.includes(m.state) && (
          <button type="button" onClick={() => void createPlan(m.request, m.name)}>
            Plan again
          </button>
        )}
        {(FINISHED.includes(m.state) || m.state === 'planned') && (
          <button type="button" className="danger-link" onClick={() => void act('plans:remove', m.id)}>
            Remove from history
          </button>
        )}
      </div>
      {m.error && m.state === 'failed' && m.destinations.length === 0 && <p className="field-error">{m.error.message}</p>}
      {m.jobIds.length > 0 && (
        <section aria-label="Jobs of this migration">
          <h3>Run</h3>
          <ul className="job-list plan-jobs">
            {m.jobIds.map((id) => (
              <JobRow key={id} id={id} />
            ))}
          </ul>
        </section>
      )}
      {FINISHED.includes(m.state) && m.runStartedAt !== null && <ReportView m={m} />}
      {/* After a run the outcome comes first; the plan it followed stays below. */}
      {m.state !== 'planning' && m.destinations.length > 0 && <PlanSummary m={m} />}
      {m.state === 'planned' && <RunInCloud m={m} />}
      {m.state !== 'planning' && <SaveProfile key={m.id} m={m} />}
    </article>
  );
}
