import { useState, type FormEvent } from 'react';
import { formatCount, formatSize } from '../../format';
import { useStore } from '../../store';
import { ScanResults } from './ScanResults';
import { CloudPlaceFields, pricingPlaces, useCloudPlace } from './cloudPlace';
import { Options } from '../Options';
import { ScanSchedule } from '../settings/ScanSchedule';

const STATE_TEXT = { running: 'Scanning', done: 'Finished', failed: 'Failed', cancelled: 'Cancelled' } as const;

/** Pick account, bucket and prefix; scan with progress and Cancel; then the totals, charts and the what-if. */
export function ScanPanel() {
  const catalog = useStore((s) => s.costCatalog);
  const scan = useStore((s) => s.costScan);
  const startScan = useStore((s) => s.startScan);
  const cancelScan = useStore((s) => s.cancelScan);
  const place = useCloudPlace();
  const { cloud, account: chosenAccount, bucketsError, bucket, uri } = place;
  const [pricing, setPricing] = useState('');

  const running = scan?.progress?.state === 'running' || (scan !== null && scan.id === null && scan.error === null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!uri) return;
    const [provider, region] = pricing ? pricing.split('/') : [];
    void startScan(uri, provider && region ? { provider, region } : undefined);
  };

  const progress = scan?.progress;
  return (
    <section className="cost-section" aria-labelledby="scan-h">
      <h2 id="scan-h">Bucket analytics</h2>
      <form className="cost-form-row" onSubmit={submit} noValidate>
        <CloudPlaceFields place={place} prefixPlaceholder="logs/2024/" bucketsErrorId="scan-buckets-error" />
        <label className="field">
          <span>Price as</span>
          <select value={pricing} onChange={(e) => setPricing(e.target.value)}>
            <option value="">The account&apos;s provider and region</option>
            <Options items={pricingPlaces(catalog).map((o) => [o.value, o.label])} />
          </select>
        </label>
        <button type="submit" className="primary" disabled={!bucket || running}>
          Scan
        </button>
        <button type="button" disabled={!running || !scan?.id} onClick={() => void cancelScan()}>
          Cancel
        </button>
      </form>
      <p id="scan-buckets-error" className="field-error" role={bucketsError ? 'alert' : undefined}>
        {bucketsError && `Could not list the buckets of ${chosenAccount}: ${bucketsError}`}
      </p>
      {cloud.length === 0 && <p className="muted">Add a cloud account first (Browse, then Accounts).</p>}
      {uri && bucket && <ScanSchedule uri={uri} />}
      {scan && (
        <div className="scan-status" data-testid="scan-status">
          {running && <progress aria-label={`Scanning ${scan.uri}`} />}
          <p aria-live="polite">
            <strong>{progress ? STATE_TEXT[progress.state] : 'Starting'}</strong> <span title={scan.uri}>{scan.uri}</span>
            {progress && (
              <>
                {': '}
                <span data-testid="scan-progress-objects">{formatCount(progress.objects)}</span> objects, {formatSize(progress.bytes)}, {formatCount(progress.pages)}{' '}
                {progress.pages === 1 ? 'page' : 'pages'}
              </>
            )}
          </p>
          {scan.error && (
            <p className="field-error" role="alert">
              {scan.error}
            </p>
          )}
        </div>
      )}
      {scan?.result?.state === 'done' && <ScanResults result={scan.result} />}
    </section>
  );
}
