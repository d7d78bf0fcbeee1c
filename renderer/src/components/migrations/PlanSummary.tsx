import { useState } from 'react';
import type { MigrationSummary, PlanDestinationSummary, PlanGroup } from '../../../../shared/contract';
import { formatCount, formatSize } from '../../format';
import { GROUP_LABEL, GroupBrowser } from './GroupBrowser';

const PATH_LABEL: Record<PlanDestinationSummary['path'], string> = {
  'server-side': 'inside the cloud (server-side copy)',
  relay: 'through this computer',
  'cloud-pull': 'pulled by the destination',
};

const usd = (n: number): string => `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;

function kinds(record: Record<string, number>): string {
  const e = Object.entries(record);
  return e.length ? e.map(([k, n]) => `${k}: ${formatCount(n)}`).join(', ') : '—';
}

function CostEstimate({ d }: { d: PlanDestinationSummary }) {
  if (!d.estimate) {
    return (
      <p className="cost-placeholder" data-testid="cost-placeholder">
        No cost estimate for this destination: the price catalog has no figures for this provider or region yet. The copy itself is not affected.
      </p>
    );
  }
  const e = d.estimate;
  return (
    <table className="plan-table" aria-label={`Estimated cost for ${d.uri}`}>
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col" className="num">Quantity</th>
          <th scope="col" className="num">Unit price</th>
          <th scope="col" className="num">Cost</th>
        </tr>
      </thead>
      <tbody>
        {e.lines.map((l, i) => (
          <tr key={i}>
            <td title={`${l.source} (as of ${l.asOf})`}>{l.label}</td>
            <td className="num">
              {l.quantity.toLocaleString(undefined, { maximumFractionDigits: 4 })} {l.unit}
            </td>
            <td className="num">{usd(l.unitPriceUsd)}</td>
            <td className="num">{usd(l.totalUsd)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Estimated total
          </th>
          <td className="num" data-testid="cost-total">
            {usd(e.totalUsd)}
          </td>
        </tr>
        {e.notes.map((n, i) => (
          <tr key={`n${i}`}>
            <td colSpan={4} className="hint">
              {n}
            </td>
          </tr>
        ))}
      </tfoot>
    </table>
  );
}

/** Counts and bytes per group at one destination; a group's button opens its list below. */
function DestinationPlan({ m, d, index }: { m: MigrationSummary; d: PlanDestinationSummary; index: number }) {
  const [group, setGroup] = useState<PlanGroup | null>(null);
  const rows: Array<[PlanGroup, number, number | null]> = [
    ['new', d.new.count, d.new.bytes],
    ['changed', d.changed.count, d.changed.bytes],
    ['unchanged', d.unchanged.count, d.unchanged.bytes],
    ['extra', d.extra.count, d.extra.bytes],
    ['names', d.nameIssues, null],
    ['metadata', d.metadataIssues, null],
  ];
  const describe: Record<PlanGroup, string> = {
    new: 'to copy',
    changed: 'to update',
    unchanged: 'left as they are',
    extra: m.request.mode === 'mirror' && m.request.deletions.enabled ? (m.request.deletions.quarantinePrefix ? 'to move to quarantine' : 'to delete') : 'only at the destination, kept',
    names: d.notCopyable > 0 ? `the destination cannot hold (${formatCount(d.notCopyable)} not copied)` : 'mapped for the destination',
    metadata: 'renamed or dropped',
  };
  return (
    <section className="plan-destination" aria-label={`Destination ${index + 1}: ${d.uri}`}>
      <h3 className="plan-name">{d.uri}</h3>
      <table className="plan-table plan-counts" aria-label={`Plan for ${d.uri}`}>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" className="num">Objects</th>
            <th scope="col" className="num">Size</th>
            <th scope="col">
              <span className="visually-hidden">List</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([g, count, bytes]) => (
            <tr key={g} data-group={g}>
              <th scope="row">
                {GROUP_LABEL[g]} <span className="muted">{describe[g]}</span>
              </th>
              <td className="num" data-testid={`count-${g}`}>
                {formatCount(count)}
              </td>
              <td className="num">{bytes === null ? '' : formatSize(bytes)}</td>
              <td>
                <button type="button" aria-pressed={group === g} disabled={count === 0} aria-label={`Show ${GROUP_LABEL[g].toLowerCase()} at ${d.uri}`} onClick={() => setGroup(group === g ? null : g)}>
                  {group === g ? 'Hide' : 'Show'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {group && <GroupBrowser migration={m} dest={index} group={group} />}
      <p className="muted">
        Copies go {PATH_LABEL[d.path]}. Compared by: {kinds(d.checksumKinds)}. {formatCount(d.destinationObjects)} objects at the destination before the run.
      </p>
      <h4>Estimated cost</h4>
      <CostEstimate d={d} />
    </section>
  );
}

export function PlanSummary({ m }: { m: MigrationSummary }) {
  const del = m.request.deletions;
  const mirror = m.request.mode === 'mirror';
  const cap = [del.maxCount === undefined ? null : `more than ${formatCount(del.maxCount)} objects`, del.maxPercent === undefined ? null : `more than ${del.maxPercent} % of the destination`].filter((x): x is string => x !== null);
  return (
    <section className="plan-summary" aria-label="Plan">
      {m.runStartedAt !== null && <h3>The plan it followed</h3>}
      <p>
        Source: <span className="plan-name">{m.request.source}</span> · {formatCount(m.source.objects)} objects, {formatSize(m.source.bytes)}
        {m.source.filteredOut > 0 ? ` · ${formatCount(m.source.filteredOut)} left out by the filters` : ''} · {formatCount(m.reads.listPages)} listing pages and {formatCount(m.reads.heads)} metadata reads, no writes
      </p>
      {mirror && (
        <p className="plan-deletions" data-testid="plan-deletions">
          {del.enabled
            ? `Mirror: ${formatCount(m.deletionsPlanned)} objects ${del.quarantinePrefix ? `would be moved to ${del.quarantinePrefix}` : 'would be deleted'}. The run stops and asks first ${cap.length ? `above ${cap.join(' or ')}` : 'in any case (no limit set)'}.`
            : 'Mirror without deletions: objects only at the destination stay where they are.'}
        </p>
      )}
      {m.notes.length > 0 && (
        <ul className="plan-notes" aria-label="Notes on this plan">
          {m.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      {m.destinations.map((d, i) => (
        <DestinationPlan key={d.uri} m={m} d={d} index={i} />
      ))}
    </section>
  );
}
