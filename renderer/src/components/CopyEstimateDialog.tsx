import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { BYTES_PER_GB } from '../../../shared/contract/costs.catalog';
import type { CopyEstimateRequest } from '../../../shared/contract/costs.estimate';
import type { ObjectEntry } from '../../../shared/model';
import { otherPane, startTransfer } from '../actions';
import { costConfirmThreshold, setCostConfirmThreshold } from '../cost-confirm';
import { formatCount, formatSize } from '../format';
import { useStore, type PaneId } from '../store';
import type { CopyEstimate } from '../store/costs.slice';
import type { PanePlace } from '../store/panes.slice';
import { useLoad } from '../store/useLoad';
import { CostLines } from './costs/CostLines';
import './costs/costs.css';
import { Dialog } from './Dialog';

const LOADING: CopyEstimate = { state: 'loading' };
/** Where a pane is (selected alone, so that pages arriving in the pane do not redraw the dialog). */
const placeOf = ({ account, bucket, prefix }: PanePlace): PanePlace => ({ account, bucket, prefix });

/**
 * The confirmation before a large copy or move between two accounts: what goes where, and what the
 * providers will bill for it (egress, requests, retrieval) from the cost model, so the user decides with the figure
 * in front of them. Folders are not listed up front, so their size is unknown: the estimate is then priced per GB.
 */
export function CopyEstimateDialog({ pane, entries, move }: { pane: PaneId; entries: ObjectEntry[]; move: boolean }) {
  const close = useStore((s) => s.closeDialog);
  const here = useStore(useShallow((s) => placeOf(s.panes[pane])));
  const there = useStore(useShallow((s) => placeOf(s.panes[otherPane(pane)])));
  const accounts = useStore((s) => s.accounts);
  const estimateCopy = useStore((s) => s.estimateCopy);
  const [busy, setBusy] = useState(false);
  const [pull, setPull] = useState(false);
  const [threshold, setThreshold] = useState(() => String(costConfirmThreshold()));
  const thresholdValue = Number(threshold);
  const thresholdProblem = threshold.trim() === '' || !Number.isFinite(thresholdValue) || thresholdValue < 0 ? 'Enter an amount in dollars, such as 0.10.' : null;
  const loadFeatures = useStore((s) => s.loadFeatures);
  const sourceFeatures = useStore((s) => (here.account ? s.features[here.account] : undefined));
  // Only Azure can fetch from a signed link (Put Blob From URL), and only a source that can sign one (S3, GCS
  // with a private key, Azure with a shared key) can give it.
  const canPull = accounts.find((a) => a.settings.name === there.account)?.settings.kind === 'azure' && sourceFeatures?.presign === true;
  const files = entries.filter((e) => !e.isPrefix);
  const folders = entries.length - files.length;
  const bytes = files.reduce((n, e) => n + e.size, 0);
  const perGb = folders > 0;
  const verb = move ? 'Move' : 'Copy';

  useEffect(() => {
    if (here.account) void loadFeatures(here.account);
  }, [here.account, loadFeatures]);

  // Folders: one GB as one file, so every per-GB price shows; files: their exact sizes. The dialog captured its
  // entries when it opened; the estimate is asked again only when the path changes.
  const cloudPull = canPull && pull;
  const request = useMemo((): CopyEstimateRequest | null => {
    if (!here.account || !there.account) return null;
    return perGb
      ? { sourceAccount: here.account, destinationAccount: there.account, files: 1, bytes: BYTES_PER_GB, cloudPull }
      : { sourceAccount: here.account, destinationAccount: there.account, files: files.length, bytes, sizes: files.map((f) => f.size), cloudPull };
  }, [cloudPull]);
  useLoad(request && ((signal) => estimateCopy(request, signal)), [request]);
  const estimate = useStore((s) => (request && s.copyEstimate?.request === request ? s.copyEstimate.estimate : LOADING));

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    await startTransfer(pane, move, entries, canPull && pull);
    close();
  };
  const place = (p: typeof here): string => [p.account, p.bucket, p.prefix].filter(Boolean).join('/').replace(/\/+$/, '');
  const what = [
    files.length > 0 ? `${formatCount(files.length)} ${files.length === 1 ? 'file' : 'files'} (${formatSize(bytes)})` : '',
    folders > 0 ? `${formatCount(folders)} ${folders === 1 ? 'folder' : 'folders'} (size not known until listed)` : '',
  ].filter(Boolean).join(' and ');

  return (
    <Dialog title={`${verb} between accounts`} onClose={close} wide>
      <form onSubmit={(e) => void submit(e)}>
        <dl className="copy-estimate-summary" data-testid="copy-estimate-summary">
          <dt>{verb}</dt>
          <dd>{what}</dd>
          <dt>From</dt>
          <dd>{place(here)}</dd>
          <dt>To</dt>
          <dd>{place(there)}</dd>
        </dl>
        <section aria-label="Cost estimate" aria-live="polite" aria-busy={estimate.state === 'loading'}>
          {estimate.state === 'loading' && <p className="muted">Estimating the cost…</p>}
          {estimate.state === 'failed' && (
            <p className="field-error" role="alert">
              The cost estimate is unavailable ({estimate.message}). You can still {verb.toLowerCase()}.
            </p>
          )}
          {estimate.state === 'done' && (
            <>
              {perGb && <p className="dialog-note">Size not known until listed: the prices below are for each GB copied.</p>}
              <CostLines estimate={estimate.estimate} label={perGb ? 'Estimated cost per GB' : 'Estimated cost'} testId="copy-estimate" />
            </>
          )}
        </section>
        {canPull && (
          <div className="checkbox-field">
            <label>
              <input type="checkbox" checked={pull} onChange={(e) => setPull(e.target.checked)} />
              Let the destination pull directly (Azure)
            </label>
            <p className="dialog-note">Azure fetches each file from a short-lived signed link, so no data passes through this computer; the source still bills the same egress. A file Azure cannot fetch is copied through this computer instead.</p>
          </div>
        )}
        <div className="field">
          <label htmlFor="cost-threshold">Ask first when a copy between accounts would cost more than ($)</label>
          <input
            id="cost-threshold"
            inputMode="decimal"
            value={threshold}
            onChange={(e) => {
              setThreshold(e.target.value);
              const v = Number(e.target.value);
              if (e.target.value.trim() !== '' && Number.isFinite(v) && v >= 0) setCostConfirmThreshold(v);
            }}
            aria-invalid={thresholdProblem !== null}
            aria-describedby="cost-threshold-hint"
          />
          <small id="cost-threshold-hint" className={thresholdProblem ? 'field-error' : 'hint'}>
            {thresholdProblem ?? 'Folders (not sized until listed) and downloads from a cloud to this computer always ask.'}
          </small>
        </div>
        <div className="dialog-buttons">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy} data-autofocus>
            {verb}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
