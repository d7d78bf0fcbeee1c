import { useEffect, useMemo, useState } from 'react';
import type { MigrationSummary } from '../../../../shared/contract';
import { formatCount, formatDuration, formatSize } from '../../format';
import { useStore } from '../../store';
import type { MigrationReportRows } from '../../store/migrations.slice';
import { useLoad } from '../../store/useLoad';

const PAGE = 100;
const OUTCOMES = ['all', 'copied', 'skipped', 'not-copied', 'failed', 'deleted', 'quarantined', 'pending'] as const;
type OutcomeFilter = (typeof OUTCOMES)[number];

/** The report's rows, read from the engine's JSON export (the same text the user can save), again once it finishes. */
function useReport(m: MigrationSummary): MigrationReportRows | null {
  const loadMigrationReport = useStore((s) => s.loadMigrationReport);
  useLoad((signal) => loadMigrationReport(m.id, signal), [m.id, m.finishedAt]);
  return useStore((s) => (s.migrationReport?.id === m.id ? s.migrationReport.rows : null));
}

function Totals({ m }: { m: MigrationSummary }) {
  const r = m.report;
  if (!r) return null;
  const items: Array<[string, string]> = [
    ['Copied', formatCount(r.copied)],
    ['Skipped (unchanged)', formatCount(r.skipped)],
    ['Not copied (names)', formatCount(r.notCopied)],
    ['Failed', formatCount(r.failed)],
    ['Deleted', formatCount(r.deleted)],
    ['Quarantined', formatCount(r.quarantined)],
    ['Renamed', formatCount(r.renamed)],
    ['Metadata changed', formatCount(r.metadataChanged)],
    ['Bytes copied', `${formatSize(r.bytesCopied)} (plan: ${formatSize(r.bytesEstimated)})`],
    ['Cost estimate', r.costEstimateUsd === null ? 'not available' : `$${r.costEstimateUsd.toFixed(2)}`],
    ['Duration', formatDuration(r.durationMs / 1000) || '0 s'],
    ['Verified by', Object.entries(r.checksumKinds).map(([k, n]) => `${k}: ${formatCount(n)}`).join(', ') || '—'],
  ];
  return (
    <dl className="meta-list report-totals" aria-label="Report totals">
      {items.map(([k, v]) => (
        <div key={k} className="report-total">
          <dt>{k}</dt>
          <dd data-testid={`total-${k.split(' ')[0]?.toLowerCase() ?? ''}`}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** After the run: the verification's verdict, the totals, every object's outcome, and the exports. */
export function ReportView({ m }: { m: MigrationSummary }) {
  const exportReport = useStore((s) => s.exportReport);
  const data = useReport(m);
  const [outcome, setOutcome] = useState<OutcomeFilter>('all');
  const [offset, setOffset] = useState(0);
  const rows = useMemo(() => (data && 'rows' in data ? data.rows.filter((r) => outcome === 'all' || r.outcome === outcome) : []), [data, outcome]);
  useEffect(() => setOffset(0), [outcome]);
  const shown = rows.slice(offset, offset + PAGE);

  return (
    <section className="report" aria-label="Report">
      <h3>Report</h3>
      {m.differences !== null && (
        <p className={m.differences === 0 ? 'test-result ok' : 'test-result fail'} data-testid="verification">
          {m.differences === 0 ? 'Verified: zero differences between the source and every destination.' : `The verification found ${formatCount(m.differences)} differences:`}
        </p>
      )}
      {data && 'differences' in data && data.differences.length > 0 && (
        <ul className="plan-notes" aria-label="Differences found by the verification">
          {data.differences.slice(0, 200).map((d, i) => (
            <li key={i}>
              <span className="plan-name">{d.key ?? d.destKey ?? ''}</span> at {m.request.destinations[d.dest] ?? ''}: {d.reason ?? 'differs'}
            </li>
          ))}
        </ul>
      )}
      {m.serviceRun && (
        <p data-testid="service-run">
          Copied in the cloud by {m.serviceRun.engineName} ({m.serviceRun.serviceState}): {formatCount(m.serviceRun.objectsCopied)}
          {m.serviceRun.objectsFound === undefined ? '' : ` of ${formatCount(m.serviceRun.objectsFound)}`} objects, {formatSize(m.serviceRun.bytesCopied)}
          {m.serviceRun.objectsFailed > 0 ? `, ${formatCount(m.serviceRun.objectsFailed)} failed` : ''}; the service’s fee {m.serviceRun.feeUsd === null ? 'could not be confirmed' : `$${m.serviceRun.feeUsd.toFixed(2)}`}.
        </p>
      )}
      <Totals m={m} />
      <div className="dialog-buttons report-buttons">
        <button type="button" onClick={() => void exportReport(m.id, 'json')}>
          Export JSON
        </button>
        <button type="button" onClick={() => void exportReport(m.id, 'csv')}>
          Export CSV
        </button>
      </div>
      {data && 'error' in data && <p className="field-error">{data.error}</p>}
      {data && 'rows' in data && (
        <>
          <label className="field report-filter">
            <span>Show outcomes</span>
            <select value={outcome} onChange={(e) => setOutcome(e.target.value as OutcomeFilter)}>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {o === 'all' ? `All (${formatCount(data.rows.length)})` : o}
                </option>
              ))}
            </select>
          </label>
          <table className="plan-table" aria-label="Objects and their outcomes">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Stored as</th>
                <th scope="col">Outcome</th>
                <th scope="col" className="num">Size</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r, i) => (
                <tr key={offset + i} data-outcome={r.outcome}>
                  <td className="plan-name">{r.source ?? ''}</td>
                  <td className="plan-name">{r.target}</td>
                  <td>{r.outcome}</td>
                  <td className="num">{formatSize(r.size)}</td>
                  <td>{[r.renamedTo === undefined ? '' : `renamed to ${r.renamedTo}`, r.metadataDropped ?? '', r.checksum ? `verified: ${r.checksum}` : '', r.reason ?? ''].filter(Boolean).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length > PAGE && (
            <div className="pager">
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Previous page
              </button>
              <span>
                {formatCount(offset + 1)}–{formatCount(Math.min(offset + PAGE, rows.length))} of {formatCount(rows.length)}
              </span>
              <button type="button" disabled={offset + PAGE >= rows.length} onClick={() => setOffset(offset + PAGE)}>
                Next page
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
