import { useEffect, useState, type FormEvent } from 'react';
import { formatCount, formatDate, truncateMiddle } from '../format';
import { describeAbort, formatAge, uploadRowId, type AbortOutcome } from '../pending-uploads';
import { useStore, type PaneId } from '../store';
import type { PendingUploadsListing } from '../store/uploads.slice';
import { useLoad } from '../store/useLoad';
import { Dialog } from './Dialog';
import './PendingUploadsDialog.css';

/** Whether a pane shows a bucket of a cloud account (local folders write through temp files: they have none). */
export function hasPendingUploads(pane: PaneId): boolean {
  const { panes, accounts } = useStore.getState();
  const { account, bucket } = panes[pane];
  const kind = accounts.find((a) => a.settings.name === account)?.settings.kind;
  return account !== null && bucket !== '' && kind !== undefined && kind !== 'local';
}

/** Opens the dialog for the bucket a pane shows (the pane bar and the context menu call this). */
export function openPendingUploads(pane: PaneId): void {
  const { panes, openDialog } = useStore.getState();
  const { account, bucket } = panes[pane];
  if (account && bucket) openDialog({ type: 'pendingUploads', account, bucket });
}

const LOADING: PendingUploadsListing = { state: 'loading' };

/**
 * The unfinished multipart / block uploads of one bucket (left by a crash or another tool): they are billed until
 * aborted and most consoles hide them. Lists them oldest first; the user picks some and aborts them.
 */
export function PendingUploadsDialog({ account, bucket }: { account: string; bucket: string }) {
  const close = useStore((s) => s.closeDialog);
  const loadPendingUploads = useStore((s) => s.loadPendingUploads);
  const abortPendingUploads = useStore((s) => s.abortPendingUploads);
  const listing = useStore((s) => (s.pendingUploads?.account === account && s.pendingUploads.bucket === bucket ? s.pendingUploads.listing : LOADING));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<(AbortOutcome & { text: string }) | null>(null);

  const load = (signal?: AbortSignal): Promise<void> => loadPendingUploads(account, bucket, signal);
  useLoad(load, [account, bucket]);
  // Keep only selections that still exist.
  useEffect(() => {
    if (listing.state === 'ready') setSelected((prev) => new Set(listing.uploads.map(uploadRowId).filter((id) => prev.has(id))));
  }, [listing]);

  const uploads = listing.state === 'ready' ? listing.uploads : [];
  const picked = uploads.filter((u) => selected.has(uploadRowId(u)));
  const allPicked = uploads.length > 0 && picked.length === uploads.length;

  const toggle = (id: string, on: boolean): void => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (picked.length === 0) return;
    setBusy(true);
    setOutcome(null);
    const r = await abortPendingUploads(account, bucket, picked.slice(0, 1000));
    setOutcome(r.ok ? { ...r.value, text: describeAbort(r.value) } : { aborted: 0, failed: [], text: `Nothing was aborted: ${r.error}` });
    setBusy(false);
    await load();
  };

  return (
    <Dialog title="Unfinished uploads" onClose={close} wide>
      <form onSubmit={(e) => void submit(e)}>
        <p className="dialog-note">
          Uploads to <strong>{account}/{bucket}</strong> that were started but never finished, for example by a crash. Their parts are stored, and
          billed, until the upload is aborted. Aborting deletes those parts; finished objects are not touched. Do not abort an upload that another
          program is still sending.
        </p>
        {listing.state === 'loading' && <p className="empty-note" role="status">Looking for unfinished uploads…</p>}
        {listing.state === 'error' && (
          <p className="field-error" role="alert">
            {listing.message}
          </p>
        )}
        {listing.state === 'ready' && uploads.length === 0 && (
          <p className="empty-note" role="status">
            No unfinished uploads in {bucket}.
          </p>
        )}
        {listing.state === 'ready' && uploads.length > 0 && (
          <div className="pending-uploads-scroll">
            <table className="pending-uploads" aria-label="Unfinished uploads">
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select all"
                      checked={allPicked}
                      onChange={(e) => setSelected(e.target.checked ? new Set(uploads.map(uploadRowId)) : new Set())}
                    />
                  </th>
                  <th scope="col">Key</th>
                  <th scope="col">Started</th>
                  <th scope="col">Age</th>
                </tr>
              </thead>
              <tbody>
                {uploads.map((u) => {
                  const id = uploadRowId(u);
                  return (
                    <tr key={id} data-testid="pending-upload">
                      <td>
                        <input type="checkbox" aria-label={`Select ${u.key}`} checked={selected.has(id)} onChange={(e) => toggle(id, e.target.checked)} />
                      </td>
                      <td className="pending-key" title={u.key}>
                        {truncateMiddle(u.key, 72)}
                      </td>
                      <td className="pending-time">{u.initiated ? formatDate(u.initiated) : 'unknown'}</td>
                      <td className="pending-time">{formatAge(u.initiated, listing.at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {outcome && (
          <div className="pending-outcome" role="status" data-testid="abort-result">
            <p>{outcome.text}</p>
            {outcome.failed.length > 0 && (
              <ul className="delete-list">
                {outcome.failed.map((f, i) => (
                  <li key={i} title={f.key}>
                    {truncateMiddle(f.key, 60)}: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={() => void load()} disabled={busy || listing.state === 'loading'}>
            Refresh
          </button>
          <button type="button" onClick={close}>
            Close
          </button>
          <button type="submit" className="danger" disabled={busy || picked.length === 0}>
            {picked.length > 1 ? `Abort ${formatCount(picked.length)} uploads` : 'Abort'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
