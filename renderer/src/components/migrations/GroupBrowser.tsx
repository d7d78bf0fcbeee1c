import { useEffect, useState } from 'react';
import type { MigrationSummary, PlanGroup, PlanItem } from '../../../../shared/contract';
import { formatCount, formatSize } from '../../format';
import { useStore } from '../../store';
import { planPageKey } from '../../store/migrations.slice';
import { useLoad } from '../../store/useLoad';

const PAGE = 100;

export const GROUP_LABEL: Record<PlanGroup, string> = {
  new: 'New',
  changed: 'Changed',
  unchanged: 'Unchanged',
  extra: 'Extra',
  names: 'Names',
  metadata: 'Metadata',
};

function details(item: PlanItem): string {
  const parts: string[] = [];
  if (item.reason) parts.push(item.reason);
  if (item.issue) parts.push(item.issue === 'renamed' ? 'renamed' : item.issue === 'nfc-nfd' ? 'same name in another Unicode form' : item.issue === 'too-long' ? 'too long: not copied' : item.issue === 'collision' ? 'collision: not copied' : 'unusable: not copied');
  if (item.renamedMetadata?.length) parts.push(`metadata renamed: ${item.renamedMetadata.map((r) => `${r.from} → ${r.to}`).join(', ')}`);
  if (item.droppedMetadata?.length) parts.push(`metadata dropped: ${item.droppedMetadata.join(', ')}`);
  if (item.message) parts.push(item.message);
  return parts.join(' · ');
}

/** One group of one destination's plan, a page at a time (the lists stay on disk in the engine). */
export function GroupBrowser({ migration, dest, group }: { migration: MigrationSummary; dest: number; group: PlanGroup }) {
  const [offset, setOffset] = useState(0);
  const shown = useStore((s) => s.planPages[planPageKey(migration.id, dest)]);
  const loadPlanPage = useStore((s) => s.loadPlanPage);
  const ready = migration.state !== 'planning';

  useEffect(() => setOffset(0), [migration.id, dest, group]);
  useLoad(ready ? (signal) => loadPlanPage({ id: migration.id, group, dest, offset, limit: PAGE }, signal) : null, [migration.id, dest, group, offset, ready]);
  const page = shown?.group === group ? shown.page : null;
  const error = shown?.group === group ? shown.error : null;

  const label = `${GROUP_LABEL[group]} objects at ${migration.request.destinations[dest] ?? ''}`;
  if (error) return <p className="field-error" role="alert">{error}</p>;
  if (!page) return <p className="muted">Loading…</p>;
  const last = Math.min(offset + PAGE, page.total);
  return (
    <div className="plan-group">
      <table className="plan-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {group === 'names' && <th scope="col">At the destination</th>}
            <th scope="col" className="num">Size</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {page.items.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                Nothing in this group.
              </td>
            </tr>
          )}
          {page.items.map((item, i) => (
            <tr key={`${offset}-${i}`}>
              <td className="plan-name">{item.key ?? item.destKey ?? ''}</td>
              {group === 'names' && <td className="plan-name">{item.destKey ?? ''}</td>}
              <td className="num">
                {formatSize(item.size)}
                {item.destSize !== undefined && item.destSize !== item.size ? ` (now ${formatSize(item.destSize)})` : ''}
              </td>
              <td>{details(item)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.total > PAGE && (
        <div className="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous page
          </button>
          <span>
            {formatCount(offset + 1)}–{formatCount(last)} of {formatCount(page.total)}
          </span>
          <button type="button" disabled={last >= page.total} onClick={() => setOffset(offset + PAGE)}>
            Next page
          </button>
        </div>
      )}
    </div>
  );
}
