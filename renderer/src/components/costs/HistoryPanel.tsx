import { useEffect, useId, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { addRequestCounts, REQUEST_KINDS, type HistoryJob, type HistoryMigration, type HistoryScan, type RequestCounts } from '../../../../shared/contract/costs.history';
import { formatCount, formatDate, formatSize, truncateMiddle } from '../../format';
import { useStore } from '../../store';
import { subscribeCostHistory } from '../../store/costs.slice';
import { formatUsd } from './money';
import { Options } from '../Options';

/** The engine's key for objects whose listing reports no class. */
const NO_CLASS = '(default)';
const className = (key: string): string => (key === NO_CLASS ? 'Default (not reported)' : key);
/** Series colours, readable on both themes; given as props so that the legend shows them too. */
const LINE_COLOURS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#14b8a6'];
const ESTIMATE_COLOUR = '#94a3b8';
const ACTUAL_COLOUR = '#3b82f6';

const REQUEST_LABEL: Record<keyof RequestCounts, string> = {
  list: 'LIST',
  head: 'HEAD',
  get: 'GET',
  put: 'PUT',
  multipart: 'Multipart uploads',
  parts: 'Parts',
  copy: 'COPY',
  delete: 'Deleted',
};

/** One row of the runs table, whether a plain job or a migration. */
interface RunRow {
  key: string;
  label: string;
  finishedAt: string;
  state: string;
  bytesEstimated: number;
  bytesMoved: number;
  estimateUsd: number | null;
  actualUsd: number | null;
  requests: RequestCounts;
  note?: string;
}

function jobRow(j: HistoryJob): RunRow {
  return {
    key: `job:${j.id}`,
    label: j.title,
    finishedAt: j.finishedAt,
    state: j.state,
    bytesEstimated: j.bytesPlanned,
    bytesMoved: j.bytesMoved,
    estimateUsd: j.estimate?.totalUsd ?? null,
    actualUsd: j.actual?.totalUsd ?? null,
    requests: addRequestCounts(j.requests.source, j.requests.destination),
    ...(note(j) === undefined ? {} : { note: note(j) }),
  };
}

/** What a delete removed (it moves no bytes), then any pricing problem. */
function note(j: HistoryJob): string | undefined {
  const deleted = j.deleted ? `Deleted ${formatCount(j.deleted.files)} file${j.deleted.files === 1 ? '' : 's'} (${formatSize(j.deleted.bytes)})` : undefined;
  const parts = [deleted, j.priceError].filter((p): p is string => p !== undefined);
  return parts.length ? parts.join('. ') : undefined;
}

function migrationRow(m: HistoryMigration): RunRow {
  return {
    key: `migration:${m.id}`,
    label: `Migration ${m.name ?? `${m.source} to ${m.destinations.join(', ')}`}`,
    finishedAt: m.finishedAt,
    state: m.state,
    bytesEstimated: m.bytesEstimated,
    bytesMoved: m.bytesMoved,
    estimateUsd: m.estimateUsd,
    actualUsd: m.actualUsd,
    requests: m.requests,
  };
}

const usdOrDash = (v: number | null): string => (v === null ? '—' : formatUsd(v));

/** Monthly storage cost by class of one bucket (or prefix), one point per saved scan. */
function ScanHistory({ scans }: { scans: HistoryScan[] }) {
  const uris = useMemo(() => [...new Set(scans.map((s) => s.uri))].sort(), [scans]);
  const [uri, setUri] = useState('');
  const selectId = useId();
  const chosen = uris.includes(uri) ? uri : (uris[0] ?? '');
  const rows = scans.filter((s) => s.uri === chosen);
  const classes = [...new Set(rows.flatMap((s) => Object.keys(s.monthlyUsdByClass)))].sort();
  const data = rows.map((s) => ({ at: formatDate(s.finishedAt), ...Object.fromEntries(classes.map((c) => [c, s.monthlyUsdByClass[c] ?? 0])) }));
  const title = `Monthly storage cost by class of ${chosen}`;
  return (
    <section className="cost-card" aria-labelledby={`${selectId}-h`}>
      <h3 id={`${selectId}-h`}>Storage cost over time</h3>
      {scans.length === 0 ? (
        <p className="muted">No bucket scan is recorded yet: scan a bucket in Bucket analytics.</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={selectId}>Scanned location</label>
            <select id={selectId} value={chosen} onChange={(e) => setUri(e.target.value)}>
              <Options items={uris.map((u) => [u, u])} />
            </select>
          </div>
          <figure className="cost-figure" aria-label={title}>
            <figcaption>{title}</figcaption>
            <div className="cost-chart cost-history-chart" aria-hidden="true">
              <ResponsiveContainer width="100%" height={220}>
                <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="at" />
                  <YAxis tickFormatter={(v: number) => formatUsd(v)} width={80} />
                  <Tooltip formatter={(v) => (typeof v === 'number' ? formatUsd(v) : String(v))} />
                  <Legend formatter={(v: string) => className(v)} />
                  {classes.map((c, i) => (
                    <Line key={c} dataKey={c} name={c} stroke={LINE_COLOURS[i % LINE_COLOURS.length]} isAnimationActive={false} dot />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </div>
            <div className="cost-table-scroll">
              <table className="cost-table" aria-label={`Scans of ${chosen}`} data-testid="history-scans">
                <thead>
                  <tr>
                    <th scope="col">Scanned</th>
                    <th scope="col" className="num">Objects</th>
                    <th scope="col" className="num">Size</th>
                    {classes.map((c) => (
                      <th scope="col" key={c} className="num">
                        {className(c)}
                      </th>
                    ))}
                    <th scope="col" className="num">A month</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((s) => (
                    <tr key={s.id}>
                      <th scope="row">{formatDate(s.finishedAt)}</th>
                      <td className="num">{formatCount(s.objects)}</td>
                      <td className="num" title={`${formatCount(s.bytes)} bytes`}>
                        {formatSize(s.bytes)}
                      </td>
                      {classes.map((c) => (
                        <td key={c} className="num">
                          {s.monthlyUsdByClass[c] === undefined ? '—' : formatUsd(s.monthlyUsdByClass[c])}
                        </td>
                      ))}
                      <td className="num">{formatUsd(s.monthlyUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </figure>
        </>
      )}
    </section>
  );
}

/** Copies, moves, migrations and deletes: estimated against actual bytes and cost, and the requests they made by kind. */
function RunHistory({ runs }: { runs: RunRow[] }) {
  const headingId = useId();
  const chartData = runs.map((r) => ({ label: `${formatDate(r.finishedAt)} ${truncateMiddle(r.label, 24)}`, estimate: r.estimateUsd ?? 0, actual: r.actualUsd ?? 0, bytesEstimated: r.bytesEstimated, bytesMoved: r.bytesMoved }));
  const chart = (title: string, keys: [string, string], names: [string, string], format: (v: number) => string) => (
    <figure className="cost-figure" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div className="cost-chart cost-history-chart" aria-hidden="true">
        <ResponsiveContainer width="100%" height={Math.max(120, runs.length * 44 + 60)}>
          <BarChart data={chartData} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }} accessibilityLayer={false}>
            <CartesianGrid horizontal={false} strokeDasharray="3 3" />
            <XAxis type="number" tickFormatter={(v: number) => format(v)} tickCount={4} />
            <YAxis type="category" dataKey="label" width={160} tickFormatter={(v: string) => truncateMiddle(v, 24)} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} cursor={{ className: 'cost-chart-cursor' }} />
            <Legend itemSorter={null} />
            <Bar dataKey={keys[0]} name={names[0]} className="series-estimate" fill={ESTIMATE_COLOUR} isAnimationActive={false} />
            <Bar dataKey={keys[1]} name={names[1]} className="series-actual" fill={ACTUAL_COLOUR} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
  return (
    <section className="cost-card" aria-labelledby={headingId}>
      <h3 id={headingId}>Copies, moves, migrations and deletes</h3>
      {runs.length === 0 ? (
        <p className="muted">No copy, move, migration or delete has finished yet.</p>
      ) : (
        <>
          <div className="cost-grid">
            {chart('Estimated and actual cost', ['estimate', 'actual'], ['Estimated', 'Actual'], formatUsd)}
            {chart('Estimated and moved bytes', ['bytesEstimated', 'bytesMoved'], ['Estimated', 'Moved'], formatSize)}
          </div>
          <div className="cost-table-scroll">
            <table className="cost-table" aria-label="Finished transfers" data-testid="history-runs">
              <thead>
                <tr>
                  <th scope="col">Finished</th>
                  <th scope="col">Transfer</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">Estimated bytes</th>
                  <th scope="col" className="num">Moved bytes</th>
                  <th scope="col" className="num">Estimated cost</th>
                  <th scope="col" className="num">Actual cost</th>
                  {REQUEST_KINDS.map((k) => (
                    <th scope="col" key={k} className="num">
                      {REQUEST_LABEL[k]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.key}>
                    <td>{formatDate(r.finishedAt)}</td>
                    <th scope="row" title={r.label}>
                      {truncateMiddle(r.label, 60)}
                      {r.note !== undefined && <div className="muted">{r.note}</div>}
                    </th>
                    <td>{r.state}</td>
                    <td className="num" title={`${formatCount(r.bytesEstimated)} bytes`}>
                      {formatCount(r.bytesEstimated)}
                    </td>
                    <td className="num" title={formatSize(r.bytesMoved)}>
                      {formatCount(r.bytesMoved)}
                    </td>
                    <td className="num">{usdOrDash(r.estimateUsd)}</td>
                    <td className="num">{usdOrDash(r.actualUsd)}</td>
                    {REQUEST_KINDS.map((k) => (
                      <td key={k} className="num">
                        {formatCount(r.requests[k])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted">
            Estimated: the estimator for the files as listed (a migration: its plan). Actual: the same prices applied to the bytes moved and the requests
            counted; parts of a multipart upload are derived from each object&apos;s size. Deletes are counted by object and not billed.
          </p>
        </>
      )}
    </section>
  );
}

/** The cost history kept in the data dir: saved scans over time, and finished transfers estimated against actual. */
export function HistoryPanel() {
  const { history, error, busy } = useStore((s) => s.costHistory);
  const loadCostHistory = useStore((s) => s.loadCostHistory);

  useEffect(() => {
    void useStore.getState().loadCostHistory();
    // What finishes while the panel is open shows without a click: a job, a scan, a migration run.
    return subscribeCostHistory(useStore.getState);
  }, []);

  const runs = useMemo(() => (history?.runs ?? []).map((r) => (r.t === 'job' ? jobRow(r) : migrationRow(r))).reverse(), [history]);
  const empty = history !== null && history.scans.length === 0 && history.runs.length === 0;

  return (
    <section className="cost-section" aria-labelledby="cost-history-h">
      <div className="cost-form-row">
        <h2 id="cost-history-h">History</h2>
        <button type="button" onClick={() => void loadCostHistory()} disabled={busy}>
          Refresh
        </button>
      </div>
      {error !== null && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
      {history === null && error === null && <p className="muted">Loading…</p>}
      {empty && <p data-testid="history-empty">Nothing is recorded yet. Finished bucket scans, copies, moves, migrations and deletes appear here.</p>}
      {history !== null && !empty && (
        <>
          <ScanHistory scans={history.scans} />
          <RunHistory runs={runs} />
        </>
      )}
    </section>
  );
}
