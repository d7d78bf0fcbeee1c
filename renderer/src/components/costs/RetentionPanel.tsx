import { useEffect, useState, type FormEvent } from 'react';
import type { RetentionAction, RetentionCaution, RetentionPreview, RetentionReport, RetentionSampleEntry } from '../../../../shared/contract/retention.channels';
import { formatCount, formatDate, formatSize, truncateMiddle } from '../../format';
import { useStore } from '../../store';
import { Dialog } from '../Dialog';
import { CostLines } from './CostLines';
import { formatUsd } from './money';
import { ObjectsTable } from './ScanResults';
import { CloudPlaceFields, useCloudPlace } from './cloudPlace';

const STATE_TEXT = { running: 'Previewing', done: 'Finished', failed: 'Failed', cancelled: 'Cancelled' } as const;

/** What each caution means for the user, short enough for a table cell. */
const CAUTION_TEXT: Record<RetentionCaution, string> = {
  'needs-restore': 'Archived: restore it before its class can change',
  rehydration: 'In Archive: rehydrates for hours after the change',
  'early-deletion': 'Under its minimum storage time: early-deletion fee',
};
const CAUTION_LABEL: Record<RetentionCaution, string> = {
  'needs-restore': 'Need a restore first',
  rehydration: 'Rehydrate for hours',
  'early-deletion': 'Early-deletion fee',
};
/** How the confirmation counts them: "1 rehydrating from Archive for hours". */
const CAUTION_COUNTED: Record<RetentionCaution, string> = {
  'needs-restore': 'archived (restore first)',
  rehydration: 'rehydrating from Archive for hours',
  'early-deletion': 'with an early-deletion fee',
};
const cautionNote = (o: RetentionSampleEntry): string => (o.cautions ?? []).map((c) => CAUTION_TEXT[c]).join('; ');

/** "Delete 1,204 objects (3.2 GiB) older than 90 days: saves $0.07/month", the sentence the confirmation asks about. */
export function retentionSentence(p: Pick<RetentionPreview, 'action' | 'matched' | 'matchedBytes' | 'olderThanDays' | 'monthlySavingUsd'>): string {
  const noun = p.action.kind === 'delete-noncurrent' ? ['noncurrent version', 'noncurrent versions'] : ['object', 'objects'];
  const what = `${formatCount(p.matched)} ${p.matched === 1 ? noun[0] : noun[1]} (${formatSize(p.matchedBytes)}) older than ${formatCount(p.olderThanDays)} ${p.olderThanDays === 1 ? 'day' : 'days'}`;
  const verb = p.action.kind === 'set-class' ? `Move ${what} to ${p.action.storageClass}` : `Delete ${what}`;
  const money = p.monthlySavingUsd >= 0 ? `saves ${formatUsd(p.monthlySavingUsd)}/month` : `costs ${formatUsd(-p.monthlySavingUsd)}/month more`;
  return `${verb}: ${money}`;
}

/**
 * Retention, as a lifecycle rule run once by hand: pick a bucket or prefix, an age and an action (delete, or move to
 * a storage class); the preview counts the matches and prices the monthly saving; a confirmation states exactly
 * that; the run is a job in Transfers that acts only on the previewed objects, and its report follows.
 */
export function RetentionPanel() {
  const catalog = useStore((s) => s.costCatalog);
  const retention = useStore((s) => s.retention);
  const job = useStore((s) => (s.retention?.jobId ? s.jobs[s.retention.jobId] : undefined));
  const startRetentionPreview = useStore((s) => s.startRetentionPreview);
  const cancelRetentionPreview = useStore((s) => s.cancelRetentionPreview);
  const runRetention = useStore((s) => s.runRetention);
  const loadRetentionReport = useStore((s) => s.loadRetentionReport);
  const place = useCloudPlace();
  const { account: chosenAccount, kind, bucketsError, bucket, uri } = place;
  const [days, setDays] = useState('90');
  const [actionKind, setActionKind] = useState<RetentionAction['kind']>('delete');
  const [storageClass, setStorageClass] = useState('');
  const [confirming, setConfirming] = useState(false);
  const { id: previewId = null, preview = null, progress = null, error = null, jobId = null, report = null } = retention ?? {};

  const classIds = [...new Set(catalog?.providers.filter((p) => p.kind === kind).flatMap((p) => p.regions.flatMap((r) => r.classes.map((c) => c.id))) ?? [])];
  const daysNum = Number(days);
  const daysError = days.trim() === '' || !Number.isInteger(daysNum) || daysNum < 0 || daysNum > 36_500 ? 'Enter a whole number of days (0 or more).' : null;
  const classError = actionKind === 'set-class' && storageClass.trim() === '' ? 'Name the storage class to move to.' : null;

  // The job's report, once it finished (also when it finished while this panel was closed).
  const jobState = job?.state;
  useEffect(() => {
    if (jobState) void loadRetentionReport();
  }, [jobState, loadRetentionReport]);

  const running = progress?.state === 'running';
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!uri || daysError || classError) return;
    const action: RetentionAction = actionKind === 'set-class' ? { kind: 'set-class', storageClass: storageClass.trim() } : { kind: actionKind };
    void startRetentionPreview({ uri, olderThanDays: daysNum, action });
  };

  const run = (): void => {
    setConfirming(false);
    void runRetention();
  };

  const done = preview?.state === 'done' ? preview : null;
  const flagged = Object.entries(done?.cautions ?? {}).filter(([, t]) => t.count > 0) as Array<[RetentionCaution, { count: number; bytes: number }]>;
  return (
    <section className="cost-section" aria-labelledby="retention-h">
      <h2 id="retention-h">Retention</h2>
      <p className="muted">Delete the objects older than a number of days, or move them to a cheaper class, once, as a job you can follow in Transfers.</p>
      <form className="cost-form-row" onSubmit={submit} noValidate>
        <CloudPlaceFields place={place} prefixPlaceholder="logs/" />
        <label className="field">
          <span>Older than (days)</span>
          <input type="number" min={0} max={36500} step={1} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} aria-invalid={daysError !== null} />
        </label>
        <label className="field">
          <span>Action</span>
          <select value={actionKind} onChange={(e) => setActionKind(e.target.value === 'set-class' || e.target.value === 'delete-noncurrent' ? e.target.value : 'delete')}>
            <option value="delete">Delete</option>
            <option value="delete-noncurrent">Delete noncurrent versions</option>
            <option value="set-class">Move to storage class</option>
          </select>
        </label>
        {actionKind === 'set-class' && (
          <label className="field">
            <span>Storage class</span>
            <input list="retention-classes" value={storageClass} onChange={(e) => setStorageClass(e.target.value)} placeholder={classIds[1] ?? 'Cool'} aria-invalid={classError !== null} />
            <datalist id="retention-classes">
              {classIds.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
          </label>
        )}
        <button type="submit" className="primary" disabled={!bucket || running || daysError !== null || classError !== null}>
          Preview
        </button>
        <button type="button" disabled={!running || !previewId} onClick={() => void cancelRetentionPreview()}>
          Cancel
        </button>
      </form>
      <p className="field-error" role={daysError || bucketsError || error ? 'alert' : undefined}>
        {daysError ?? (bucketsError && `Could not list the buckets of ${chosenAccount}: ${bucketsError}`) ?? error}
      </p>
      {progress && (
        <p aria-live="polite" data-testid="retention-progress">
          <strong>{STATE_TEXT[progress.state as keyof typeof STATE_TEXT] ?? progress.state}</strong>: {formatCount(progress.listed)} listed, {formatCount(progress.matched)} match (
          {formatSize(progress.matchedBytes)})
        </p>
      )}
      {done && (
        <div className="cost-card" data-testid="retention-preview">
          {/* The action sits beside the figures it acts on, in view without scrolling past the samples. */}
          <div className="retention-summary">
            <dl className="cost-totals">
              <div>
                <dt>Matching objects</dt>
                <dd data-testid="retention-matched">
                  {formatCount(done.matched)} ({formatSize(done.matchedBytes)})
                </dd>
              </div>
              <div>
                <dt>They cost now</dt>
                <dd>{formatUsd(done.currentMonthlyUsd)} a month</dd>
              </div>
              <div>
                <dt>{done.action.kind === 'set-class' ? `In ${done.action.storageClass}` : 'After deleting'}</dt>
                <dd>{formatUsd(done.newMonthlyUsd)} a month</dd>
              </div>
              <div>
                <dt>{done.monthlySavingUsd >= 0 ? 'Saving' : 'Extra cost'}</dt>
                <dd data-testid="retention-saving">{formatUsd(Math.abs(done.monthlySavingUsd))} a month</dd>
              </div>
            </dl>
            {done.matched > 0 && !jobId && (
              <button type="button" className="primary retention-action" onClick={() => setConfirming(true)}>
                {done.action.kind === 'set-class' ? 'Move…' : 'Delete…'}
              </button>
            )}
          </div>
          {flagged.length > 0 && (
            <dl className="cost-totals" aria-label="Objects that need care" data-testid="retention-cautions">
              {flagged.map(([c, t]) => (
                <div key={c}>
                  <dt>{CAUTION_LABEL[c]}</dt>
                  <dd data-testid={`retention-caution-${c}`}>
                    {formatCount(t.count)} ({formatSize(t.bytes)})
                  </dd>
                </div>
              ))}
            </dl>
          )}
          <p className="muted">
            Objects last modified before {formatDate(done.cutoff)}, priced as {done.pricing.provider} {done.pricing.region}.
          </p>
          {done.oneTime.length > 0 && (
            <>
              <h4>Paid once</h4>
              <CostLines estimate={{ currency: 'USD', lines: done.oneTime, totalUsd: done.oneTimeUsd, notes: [] }} label="One-time costs" testId="retention-one-time" />
            </>
          )}
          {done.notes.length > 0 && (
            <ul className="cost-notes">
              {done.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          {done.sample.length > 0 && (
            <ObjectsTable objects={done.sample} label="Largest matching objects" {...(flagged.length > 0 ? { note: cautionNote } : {})} />
          )}
          {flagged.length > 0 && (done.cautionSample?.length ?? 0) > 0 && (
            <>
              <h4>Objects that need care</h4>
              <ObjectsTable objects={done.cautionSample ?? []} label="Matching objects that need care" note={cautionNote} />
            </>
          )}
        </div>
      )}
      {confirming && done && (
        <Dialog title={done.action.kind === 'set-class' ? 'Change storage class' : done.action.kind === 'delete' ? 'Delete old objects' : 'Delete noncurrent versions'} onClose={() => setConfirming(false)}>
          <p data-testid="retention-confirm-text">{retentionSentence(done)}</p>
          {done.oneTimeUsd > 0 && <p>Charged once: {formatUsd(done.oneTimeUsd)}.</p>}
          {flagged.length > 0 && (
            <p className="dialog-note" data-testid="retention-confirm-cautions">
              Needs care: {flagged.map(([c, t]) => `${formatCount(t.count)} ${CAUTION_COUNTED[c]}`).join(', ')} (see the preview).
            </p>
          )}
          <p className="dialog-note">
            Only the previewed objects are touched: any of them written since the preview is skipped and reported.{done.action.kind === 'delete' ? ' Deleted objects cannot be restored unless the bucket keeps versions.' : done.action.kind === 'delete-noncurrent' ? ' Deleted versions cannot be restored; the current objects stay as they are.' : ''}
          </p>
          <div className="dialog-buttons">
            {/* A deletion starts on Cancel, the safe choice. */}
            <button type="button" onClick={() => setConfirming(false)} data-autofocus={done.action.kind === 'delete' ? true : undefined}>
              Cancel
            </button>
            <button type="button" className={done.action.kind === 'set-class' ? 'primary' : 'danger'} data-autofocus={done.action.kind === 'set-class' ? true : undefined} onClick={run}>
              {done.action.kind === 'set-class' ? 'Move' : 'Delete'}
            </button>
          </div>
        </Dialog>
      )}
      {jobId && (
        <div className="cost-card" data-testid="retention-job" aria-live="polite">
          <p>
            Running as a job in Transfers{job ? `: ${formatCount(job.filesDone)} of ${formatCount(job.filesTotal)} done, ${job.state}` : ''}.
          </p>
          {report && <RetentionReportView report={report} />}
        </div>
      )}
    </section>
  );
}

function RetentionReportView({ report }: { report: RetentionReport }) {
  const t = report.totals;
  const problems = report.objects.filter((o) => o.outcome === 'skipped' || o.outcome === 'failed');
  return (
    <div data-testid="retention-report">
      <dl className="cost-totals">
        <div>
          <dt>{report.action.kind === 'set-class' ? 'Class changed' : 'Deleted'}</dt>
          <dd data-testid="retention-report-done">
            {formatCount((report.action.kind === 'set-class' ? t['class-changed'] : t.deleted).count)} (
            {formatSize((report.action.kind === 'set-class' ? t['class-changed'] : t.deleted).bytes)})
          </dd>
        </div>
        <div>
          <dt>Skipped (changed since the preview)</dt>
          <dd data-testid="retention-report-skipped">{formatCount(t.skipped.count)}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{formatCount(t.failed.count)}</dd>
        </div>
        {t['not-run'].count > 0 && (
          <div>
            <dt>Not run</dt>
            <dd>{formatCount(t['not-run'].count)}</dd>
          </div>
        )}
        <div>
          <dt>Realised saving</dt>
          <dd data-testid="retention-report-saving">{formatUsd(report.realisedMonthlySavingUsd)} a month</dd>
        </div>
      </dl>
      {problems.length > 0 && (
        <table className="cost-table" aria-label="Objects skipped or failed">
          <thead>
            <tr>
              <th scope="col">Object</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((o) => (
              <tr key={o.uri}>
                <th scope="row" title={o.uri}>{truncateMiddle(o.uri, 60)}</th>
                <td>{o.outcome}</td>
                <td>{o.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
