import { useState, type FormEvent } from 'react';
import { formatLocation } from '../../../../shared/location';
import { formatCount, formatSize } from '../../format';
import { useStore } from '../../store';
import { ScanResults } from './ScanResults';
import { useBuckets } from './useBuckets';

const STATE_TEXT = { running: 'Scanning', done: 'Finished', failed: 'Failed', cancelled: 'Cancelled' } as const;

/** Pick account, bucket and prefix; scan with progress and Cancel; then the totals, charts and the what-if. */
export function ScanPanel() {
  const accounts = useStore((s) => s.accounts);
  const catalog = useStore((s) => s.costCatalog);
  const scan = useStore((s) => s.costScan);
  const startScan = useStore((s) => s.startScan);
  const cancelScan = useStore((s) => s.cancelScan);
  const cloud = accounts.filter((a) => a.settings.kind !== 'local');
  const [account, setAccount] = useState('');
  const [prefix, setPrefix] = useState('');
  const [pricing, setPricing] = useState('');
  const chosenAccount = account || cloud[0]?.settings.name || '';
  const { buckets, error: bucketsError, bucket, setBucket } = useBuckets(chosenAccount);

  const running = scan?.progress?.state === 'running' || (scan !== null && scan.id === null && scan.error === null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const summary = accounts.find((a) => a.settings.name === chosenAccount);
    if (!summary || !bucket) return;
    const p = prefix.trim().replace(/^\/+/, '');
    const uri = formatLocation({ kind: summary.settings.kind, account: chosenAccount, bucket, key: p && !p.endsWith('/') ? `${p}/` : p });
    const [provider, region] = pricing ? pricing.split('|') : [];
    void startScan(uri, provider && region ? { provider, region } : undefined);
  };

  const progress = scan?.progress;
  return (
    <section className="cost-section" aria-labelledby="scan-h">
      <h2 id="scan-h">Bucket analytics</h2>
      <form className="cost-form-row" onSubmit={submit} noValidate>
        <label className="field">
          <span>Account</span>
          <select value={chosenAccount} onChange={(e) => setAccount(e.target.value)}>
            {cloud.map((a) => (
              <option key={a.settings.name} value={a.settings.name}>
                {a.settings.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Bucket</span>
          <select value={bucket} onChange={(e) => setBucket(e.target.value)} aria-describedby="scan-buckets-error">
            {buckets.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Prefix (optional)</span>
          <input value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="logs/2024/" />
        </label>
        <label className="field">
          <span>Price as</span>
          <select value={pricing} onChange={(e) => setPricing(e.target.value)}>
            <option value="">The account&apos;s provider and region</option>
            {catalog?.providers.flatMap((p) =>
              p.regions.map((r) => (
                <option key={`${p.id}|${r.id}`} value={`${p.id}|${r.id}`}>
                  {p.name}: {r.name}
                </option>
              )),
            )}
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
