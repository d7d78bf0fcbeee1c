import { useEffect, useState, type FormEvent } from 'react';
import type { BucketVersioning, ObjectVersion } from '../../../shared/contract';
import { formatCount, formatSize } from '../format';
import { useStore } from '../store';
import { Dialog } from './Dialog';
import './VersionsPanel.css';

let secondsFormat: Intl.DateTimeFormat | undefined;
/** Versions written a few seconds apart must read apart: the date with seconds, in the user's locale. */
function formatWhen(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  secondsFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return secondsFormat.format(d);
}

const KIND_LABEL: Record<ObjectVersion['kind'], string> = { version: 'Version', 'delete-marker': 'Delete marker', snapshot: 'Snapshot', deleted: 'Soft-deleted' };

/** Whether the active pane's account keeps versions (its features, loaded once per account). */
function useVersionsFeature(): boolean {
  const account = useStore((s) => s.panes[s.activePane].account);
  const features = useStore((s) => (account ? s.features[account] : undefined));
  const loadFeatures = useStore((s) => s.loadFeatures);
  useEffect(() => {
    if (account) void loadFeatures(account);
  }, [account, loadFeatures]);
  return features?.versions === true;
}

function ConfirmDelete({ name, version, onCancel, onConfirm }: { name: string; version: ObjectVersion; onCancel: () => void; onConfirm: () => void }) {
  const current = version.isCurrent && version.kind !== 'delete-marker';
  return (
    <Dialog title="Delete a version" onClose={onCancel}>
      <p data-testid="version-delete-text">
        Delete 1 version of {name} ({formatSize(version.size)}, {formatWhen(version.modified)}) for good?
      </p>
      <p className="dialog-note">
        {version.kind === 'delete-marker'
          ? 'Removing this delete marker brings the object back if no newer marker hides it.'
          : current
            ? 'This is the current version: the object then shows its previous version, or reads as missing if there is none.'
            : 'Only this version is deleted: the current object and the other versions stay. It cannot be recovered.'}
      </p>
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" data-autofocus onClick={onConfirm}>
          Delete version
        </button>
      </div>
    </Dialog>
  );
}

/** The versions of the object the details panel shows: read, copied, made current or deleted one by one. */
export function VersionsPanel({ uri, name }: { uri: string; name: string }) {
  const enabled = useVersionsFeature();
  const view = useStore((s) => (s.objectVersions?.uri === uri ? s.objectVersions : null));
  const loadVersions = useStore((s) => s.loadVersions);
  const restoreVersion = useStore((s) => s.restoreVersion);
  const removeVersion = useStore((s) => s.removeVersion);
  const copyVersion = useStore((s) => s.copyVersionToOtherPane);
  const open = useStore((s) => s.versionsOpen);
  const setOpen = useStore((s) => s.setVersionsOpen);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ObjectVersion | null>(null);

  useEffect(() => {
    if (!open || !enabled) return undefined;
    const abandon = new AbortController();
    void loadVersions(uri, abandon.signal);
    return () => abandon.abort();
  }, [open, enabled, uri, loadVersions]);

  if (!enabled) return null;
  const run = async (work: () => Promise<string | null>): Promise<void> => {
    setBusy(true);
    setFailure(await work());
    setBusy(false);
  };
  const versions = view?.versions ?? null;
  return (
    <details className="versions-panel" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Versions{versions ? ` (${formatCount(versions.length)})` : ''}</summary>
      {view?.error && <p className="field-error" role="alert">{view.error}</p>}
      {open && !view && <p className="muted">Loading…</p>}
      {failure && <p className="field-error" role="alert">{failure}</p>}
      {versions && versions.length === 0 && <p className="muted">No versions are kept for this object.</p>}
      {versions && versions.length > 0 && (
        <table className="versions-table" aria-label={`Versions of ${name}`}>
          <thead>
            <tr>
              <th scope="col">Modified</th>
              <th scope="col">Size</th>
              <th scope="col">Class</th>
              <th scope="col">Kind</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => {
              const holdsBytes = v.kind === 'version' || v.kind === 'snapshot';
              return (
                <tr key={v.versionId} data-version-id={v.versionId}>
                  <td title={v.versionId}>{formatWhen(v.modified)}</td>
                  <td>{v.kind === 'delete-marker' ? '' : formatSize(v.size)}</td>
                  <td>{v.storageClass ?? ''}</td>
                  <td>
                    {KIND_LABEL[v.kind]}
                    {v.isCurrent ? ' (current)' : ''}
                  </td>
                  <td className="version-actions">
                    {holdsBytes && !v.isCurrent && (
                      <button type="button" disabled={busy} onClick={() => void run(() => restoreVersion(uri, v))} aria-label={`Restore the version of ${formatWhen(v.modified)}`}>
                        Restore
                      </button>
                    )}
                    {holdsBytes && (
                      <button type="button" disabled={busy} onClick={() => void run(() => copyVersion(uri, v))} aria-label={`Copy the version of ${formatWhen(v.modified)} to the other pane`}>
                        Copy to other pane
                      </button>
                    )}
                    {v.kind !== 'deleted' && (
                      <button type="button" className="danger" disabled={busy} onClick={() => setDeleting(v)} aria-label={`Delete the version of ${formatWhen(v.modified)}`}>
                        Delete…
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {deleting && (
        <ConfirmDelete
          name={name}
          version={deleting}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const v = deleting;
            setDeleting(null);
            void run(() => removeVersion(uri, v, v.isCurrent));
          }}
        />
      )}
    </details>
  );
}

function SettingsView({ uri, settings }: { uri: string; settings: BucketVersioning }) {
  const configureBucket = useStore((s) => s.configureBucket);
  const [days, setDays] = useState(settings.softDeleteDays ? String(settings.softDeleteDays) : '7');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const apply = async (patch: Parameters<typeof configureBucket>[1], done: string): Promise<void> => {
    const r = await configureBucket(uri, patch);
    setResult(r.ok ? { ok: true, text: done } : { ok: false, text: r.error });
  };
  const saveDays = (e: FormEvent): void => {
    e.preventDefault();
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 365) {
      setResult({ ok: false, text: 'Enter a whole number of days from 1 to 365.' });
      return;
    }
    void apply({ softDeleteDays: n }, `Soft delete keeps deleted blobs ${n} days.`);
  };
  const lock = settings.objectLock;
  return (
    <div className="bucket-settings">
      <dl className="meta-list">
        <dt>Versioning</dt>
        <dd data-testid="bucket-versioning">{settings.versioning}</dd>
        {settings.softDeleteDays !== undefined && (
          <>
            <dt>Soft delete</dt>
            <dd>{settings.softDeleteDays === null ? 'off' : `${settings.softDeleteDays} days`}</dd>
          </>
        )}
        {lock?.enabled && (
          <>
            <dt>Object lock</dt>
            <dd>{[lock.mode, lock.days ? `${lock.days} days` : '', lock.years ? `${lock.years} years` : '', lock.locked ? 'locked' : ''].filter(Boolean).join(', ') || 'on'}</dd>
          </>
        )}
      </dl>
      {settings.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
      {settings.canSetVersioning && (
        <div className="dialog-buttons">
          {settings.versioning !== 'enabled' && (
            <button type="button" onClick={() => void apply({ versioning: 'enabled' }, 'Versioning is on.')}>
              Turn versioning on
            </button>
          )}
          {settings.versioning === 'enabled' && (
            <button type="button" onClick={() => void apply({ versioning: 'suspended' }, 'Versioning is suspended: the versions kept so far stay.')}>
              Suspend versioning
            </button>
          )}
        </div>
      )}
      {settings.canSetSoftDelete && (
        <form className="pair" onSubmit={saveDays} noValidate>
          <label className="field">
            <span>Soft delete (days)</span>
            <input type="number" min={1} max={365} step={1} value={days} onChange={(e) => setDays(e.target.value)} />
          </label>
          <button type="submit">Keep deleted for this long</button>
          {settings.softDeleteDays !== null && (
            <button type="button" onClick={() => void apply({ softDeleteDays: null }, 'Soft delete is off.')}>
              Turn soft delete off
            </button>
          )}
        </form>
      )}
      {result && (
        <p className={result.ok ? 'test-result ok' : 'test-result fail'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
    </div>
  );
}

/** For the active pane's folder: "Show deleted" (objects whose current version is deleted) and the bucket's settings. */
export function FolderVersions() {
  const enabled = useVersionsFeature();
  const pane = useStore((s) => s.activePane);
  const bucketUri = useStore((s) => (s.panes[s.activePane].bucket ? s.uriOf(s.activePane, '') : null));
  const folderUri = useStore((s) => (s.panes[s.activePane].bucket ? s.uriOf(s.activePane, s.panes[s.activePane].prefix) : null));
  const deleted = useStore((s) => s.deletedObjects);
  const loadDeleted = useStore((s) => s.loadDeleted);
  const clearDeleted = useStore((s) => s.clearDeleted);
  const undelete = useStore((s) => s.undelete);
  const settings = useStore((s) => (s.bucketSettings?.uri === bucketUri ? s.bucketSettings : null));
  const loadBucketSettings = useStore((s) => s.loadBucketSettings);
  const [showDeleted, setShowDeleted] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (!enabled || !showDeleted || !folderUri) return;
    void loadDeleted(pane);
  }, [enabled, showDeleted, folderUri, pane, loadDeleted]);
  useEffect(() => {
    if (!showDeleted) clearDeleted();
  }, [showDeleted, clearDeleted]);
  useEffect(() => {
    if (!enabled || !settingsOpen || !bucketUri) return undefined;
    const abandon = new AbortController();
    void loadBucketSettings(bucketUri, abandon.signal);
    return () => abandon.abort();
  }, [enabled, settingsOpen, bucketUri, loadBucketSettings]);

  if (!enabled || !folderUri || !bucketUri) return null;
  const shown = deleted?.uri === folderUri ? deleted : null;
  return (
    <section className="folder-versions" aria-label="Deleted objects and bucket versioning">
      <label className="check">
        <input type="checkbox" checked={showDeleted} onChange={(e) => setShowDeleted(e.target.checked)} />
        <span>Show deleted</span>
      </label>
      {showDeleted && (
        <div>
          {shown?.error && <p className="field-error" role="alert">{shown.error}</p>}
          {failure && <p className="field-error" role="alert">{failure}</p>}
          {shown && !shown.entries && !shown.error && <p className="muted">Loading…</p>}
          {shown?.entries?.length === 0 && <p className="muted">Nothing deleted in this folder.</p>}
          {shown?.entries && shown.entries.length > 0 && (
            <ul className="deleted-list" aria-label="Deleted objects">
              {shown.entries.map((d) => (
                <li key={d.key}>
                  <span title={d.key}>{d.key.slice(d.key.lastIndexOf('/') + 1)}</span> <span className="muted">{formatSize(d.size)}, {formatCount(d.versions)} kept</span>{' '}
                  <button type="button" onClick={() => void undelete(pane, d.key).then(setFailure)} aria-label={`Undelete ${d.key}`}>
                    Undelete
                  </button>
                </li>
              ))}
            </ul>
          )}
          {shown?.truncated && <p className="muted">Only the first part of this folder was read.</p>}
        </div>
      )}
      <details open={settingsOpen} onToggle={(e) => setSettingsOpen(e.currentTarget.open)}>
        <summary>Bucket versioning</summary>
        {settings?.error && <p className="field-error" role="alert">{settings.error}</p>}
        {settingsOpen && !settings && <p className="muted">Loading…</p>}
        {settings?.settings && bucketUri && <SettingsView key={bucketUri} uri={bucketUri} settings={settings.settings} />}
      </details>
    </section>
  );
}
