import type { AgeBucket, FileCategory, ScanResult, ScanTotals } from '../../../../shared/contract/costs.scan';
import { formatCount, formatDate, formatSize, truncateMiddle } from '../../format';
import { BarFigure, type BarDatum } from './BarFigure';
import { describeQuantity, describeUnitPrice, formatUsd } from './money';
import { WhatIfPanel } from './WhatIfPanel';

/** The engine's key for objects whose listing reports no class. */
const NO_CLASS = '(default)';

const CATEGORY_LABEL: Record<FileCategory, string> = {
  models: 'Models',
  datasets: 'Datasets',
  configs: 'Configs',
  logs: 'Logs',
  backups: 'Backups',
  documents: 'Documents',
  images: 'Images',
  audio: 'Audio',
  video: 'Video',
  other: 'Other',
};

const AGE_LABEL: Record<AgeBucket, string> = {
  '<30d': 'Under 30 days',
  '30-90d': '30 to 90 days',
  '90-365d': '90 days to a year',
  '>1y': 'Over a year',
  unknown: 'Unknown age',
};

type Tallies = Record<string, { count: number; bytes: number }>;

function byBytes(tallies: Tallies, label: (key: string) => string): BarDatum[] {
  return Object.entries(tallies)
    .filter(([, t]) => t.count > 0)
    .sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0]))
    .map(([k, t]) => ({ label: label(k), value: t.bytes, cells: [formatCount(t.count)] }));
}

function inOrder(tallies: Tallies, order: readonly AgeBucket[]): BarDatum[] {
  return order
    .filter((k) => (tallies[k]?.count ?? 0) > 0)
    .map((k) => ({ label: AGE_LABEL[k], value: tallies[k]?.bytes ?? 0, cells: [formatCount(tallies[k]?.count ?? 0)] }));
}

function className(key: string): string {
  return key === NO_CLASS ? 'Default (not reported)' : key;
}

function Totals({ result, totals }: { result: ScanResult; totals: ScanTotals }) {
  return (
    <dl className="cost-totals" data-testid="scan-totals">
      <div>
        <dt>Objects</dt>
        <dd data-testid="scan-objects">{formatCount(totals.objects)}</dd>
      </div>
      <div>
        <dt>Size</dt>
        <dd data-testid="scan-bytes" title={`${formatCount(totals.bytes)} bytes`}>
          {formatSize(totals.bytes)} <span className="muted">({formatCount(totals.bytes)} bytes)</span>
        </dd>
      </div>
      {totals.versions && (totals.versions.noncurrent.count > 0 || totals.versions.deleteMarkers > 0) && (
        <div>
          <dt>Older versions (in the size and cost)</dt>
          <dd data-testid="scan-noncurrent">
            {formatCount(totals.versions.noncurrent.count)} ({formatSize(totals.versions.noncurrent.bytes)})
            {totals.versions.deleteMarkers > 0 ? `, ${formatCount(totals.versions.deleteMarkers)} delete markers` : ''}
          </dd>
        </div>
      )}
      <div>
        <dt>Keeping it costs</dt>
        <dd data-testid="scan-monthly">{result.keeping ? `${formatUsd(result.keeping.monthlyUsd)} a month` : '—'}</dd>
      </div>
      <div>
        <dt>Priced as</dt>
        <dd>
          {result.pricing.provider} · {result.pricing.region}
        </dd>
      </div>
    </dl>
  );
}

/** Objects by key, size, class and date (a scan's largest, a retention preview's largest matches). */
export function ObjectsTable<T extends ScanTotals['largest'][number]>({ objects, label, labelledBy, note }: { objects: T[]; label?: string; labelledBy?: string; note?: (o: T) => string }) {
  return (
    <table className="cost-table" aria-label={label} aria-labelledby={labelledBy}>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col" className="num">Size</th>
          <th scope="col">Class</th>
          <th scope="col">Modified</th>
          {note && <th scope="col">Needs care</th>}
        </tr>
      </thead>
      <tbody>
        {objects.map((o) => (
          <tr key={o.key}>
            <th scope="row" title={o.key}>{truncateMiddle(o.key, 44)}</th>
            <td className="num">{formatSize(o.size)}</td>
            <td>{o.storageClass ?? ''}</td>
            <td>{formatDate(o.modified)}</td>
            {note && <td>{note(o)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Largest({ totals }: { totals: ScanTotals }) {
  const objects = totals.largest.slice(0, 20);
  const prefixes = totals.largestPrefixes.filter((p) => p.depth === 1).slice(0, 20);
  return (
    <div className="cost-grid">
      <section aria-labelledby="largest-objects-h" className="cost-card">
        <h3 id="largest-objects-h">Largest objects</h3>
        <ObjectsTable objects={objects} labelledBy="largest-objects-h" />
      </section>
      <section aria-labelledby="largest-prefixes-h" className="cost-card">
        <h3 id="largest-prefixes-h">Largest folders</h3>
        {prefixes.length === 0 ? (
          <p className="muted">No folders: every object sits at this level.</p>
        ) : (
          <table className="cost-table" aria-labelledby="largest-prefixes-h">
            <thead>
              <tr>
                <th scope="col">Folder</th>
                <th scope="col" className="num">Objects</th>
                <th scope="col" className="num">Size</th>
              </tr>
            </thead>
            <tbody>
              {prefixes.map((p) => (
                <tr key={p.prefix}>
                  <th scope="row" title={p.prefix}>{truncateMiddle(p.prefix, 44)}</th>
                  <td className="num">{formatCount(p.count)}</td>
                  <td className="num">{formatSize(p.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {totals.prefixesTruncated && <p className="muted">More folders than the scan keeps: folder figures are lower bounds.</p>}
      </section>
    </div>
  );
}

export function ScanResults({ result }: { result: ScanResult }) {
  const totals = result.totals;
  if (!totals) return null;
  const keeping: BarDatum[] = (result.keeping?.lines ?? []).map((l) => ({
    label: l.label,
    value: l.totalUsd,
    cells: [describeQuantity(l.quantity, l.unit), describeUnitPrice(l.unitPriceUsd, l.unit)],
  }));
  return (
    <div className="cost-results">
      <Totals result={result} totals={totals} />
      <div className="cost-grid">
        <BarFigure title="Bytes by storage class" testId="chart-class" data={byBytes(totals.byClass, className)} format={formatSize} valueHeader="Size" extraHeaders={['Objects']} />
        <BarFigure
          title="Bytes by file type"
          testId="chart-category"
          data={byBytes(totals.byCategory, (k) => CATEGORY_LABEL[k as FileCategory] ?? k)}
          format={formatSize}
          valueHeader="Size"
          extraHeaders={['Objects']}
        />
        <BarFigure
          title="Bytes by age"
          testId="chart-age"
          data={inOrder(totals.byAge, ['<30d', '30-90d', '90-365d', '>1y', 'unknown'])}
          format={formatSize}
          valueHeader="Size"
          extraHeaders={['Objects']}
        />
        <BarFigure title="Monthly cost of keeping it, by class" testId="chart-keeping" data={keeping} format={formatUsd} valueHeader="A month" extraHeaders={['Quantity', 'Unit price']} />
      </div>
      {result.keeping && result.keeping.notes.length > 0 && (
        <ul className="cost-notes">
          {result.keeping.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <Largest totals={totals} />
      <WhatIfPanel result={result} />
    </div>
  );
}
