import { useState, type FormEvent } from 'react';
import { deleteEntries, downloadEntries, copyText, renameEntry } from '../actions';
import { parseAlternates } from '../alternates';
import { errorMessage } from '../api/client';
import { deleteSummary, formatCount, formatDate } from '../format';
import { nativeDialogsAvailable, pickFolder } from '../native-dialogs';
import { useStore } from '../store';
import type { DialogRequest } from '../store/dialogs.slice';
import { AccountsDialog } from './AccountsDialog';
import { CopyEstimateDialog } from './CopyEstimateDialog';
import { Dialog } from './Dialog';
import { PendingUploadsDialog } from './PendingUploadsDialog';
import { PreviewDialog } from './Preview';
import { Options } from './Options';

type Of<T extends DialogRequest['type']> = Extract<DialogRequest, { type: T }>;

function nameProblem(name: string): string | null {
  if (!name.trim()) return 'Enter a name.';
  if (name === '.' || name === '..') return 'A name cannot be "." or "..".';
  if (new TextEncoder().encode(name).length > 1024) return 'Names are at most 1,024 bytes.';
  return null;
}

/** Cancel and the action. A destructive action starts on Cancel, the safe choice; `focus` starts on the action. */
function Buttons({ submit, busy, danger, focus }: { submit: string; busy: boolean; danger?: boolean; focus?: boolean }) {
  const close = useStore((s) => s.closeDialog);
  return (
    <div className="dialog-buttons">
      <button type="button" onClick={close} data-autofocus={danger ? true : undefined}>
        Cancel
      </button>
      <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy} data-autofocus={focus && !danger ? true : undefined}>
        {submit}
      </button>
    </div>
  );
}

function MkdirDialog({ d }: { d: Of<'mkdir'> }) {
  const close = useStore((s) => s.closeDialog);
  const createFolder = useStore((s) => s.createFolder);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problem = nameProblem(name);
    setError(problem);
    if (problem) return;
    setBusy(true);
    if (await createFolder(d.pane, name)) close();
    setBusy(false);
  };
  return (
    <Dialog title="New folder" onClose={close}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>Folder name</span>
          <input data-autofocus value={name} onChange={(e) => setName(e.target.value)} aria-invalid={error !== null} aria-describedby="mkdir-error" />
        </label>
        <p id="mkdir-error" className="field-error" role={error ? 'alert' : undefined}>{error}</p>
        <Buttons submit="Create" busy={busy} />
      </form>
    </Dialog>
  );
}

function RenameDialog({ d }: { d: Of<'rename'> }) {
  const close = useStore((s) => s.closeDialog);
  const [name, setName] = useState(d.entry.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problem = nameProblem(name) ?? (name === d.entry.name ? 'Enter a different name.' : null);
    setError(problem);
    if (problem) return;
    setBusy(true);
    if (await renameEntry(d.pane, d.entry, name)) close();
    setBusy(false);
  };
  return (
    <Dialog title={d.entry.isPrefix ? 'Rename folder' : 'Rename or move'} onClose={close}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="dialog-note">
          Renaming <strong>{d.entry.name}</strong>. Use a/b/name to move it into a sub-folder, or start with / for a path from the bucket root.
        </p>
        <label className="field">
          <span>New name</span>
          <input data-autofocus value={name} onChange={(e) => setName(e.target.value)} aria-invalid={error !== null} aria-describedby="rename-error" />
        </label>
        <p id="rename-error" className="field-error" role={error ? 'alert' : undefined}>{error}</p>
        <Buttons submit="Rename" busy={busy} />
      </form>
    </Dialog>
  );
}

function DeleteDialog({ d }: { d: Of<'delete'> }) {
  const close = useStore((s) => s.closeDialog);
  const [busy, setBusy] = useState(false);
  const files = d.entries.filter((e) => !e.isPrefix);
  const folders = d.entries.length - files.length;
  const bytes = files.reduce((n, e) => n + e.size, 0);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    await deleteEntries(d.pane, d.entries);
    close();
  };
  return (
    <Dialog title="Delete" onClose={close}>
      <form onSubmit={(e) => void submit(e)}>
        <p className="dialog-note" data-testid="delete-summary">
          {deleteSummary(files.length, bytes, folders)} This cannot be undone.
        </p>
        <ul className="delete-list">
          {d.entries.slice(0, 8).map((e) => (
            <li key={e.key} title={e.key}>{e.key}</li>
          ))}
          {d.entries.length > 8 && <li>…and {formatCount(d.entries.length - 8)} more</li>}
        </ul>
        <Buttons submit="Delete" busy={busy} danger />
      </form>
    </Dialog>
  );
}

const EXPIRIES = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
  { label: '15 minutes', seconds: 900 },
];

function PresignDialog({ d }: { d: Of<'presign'> }) {
  const close = useStore((s) => s.closeDialog);
  const uriOf = useStore((s) => s.uriOf);
  const presign = useStore((s) => s.presign);
  const [seconds, setSeconds] = useState(3600);
  const [link, setLink] = useState<{ url: string; expires: string; note?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const uri = uriOf(d.pane, d.entry.key);
    if (!uri) return;
    setBusy(true);
    setError(null);
    const r = await presign(uri, seconds);
    if (r.ok) {
      setLink(r.value);
      await copyText(r.value.url, 'Link');
    } else setError(r.error);
    setBusy(false);
  };
  return (
    <Dialog title="Share link" onClose={close}>
      <form onSubmit={(e) => void submit(e)}>
        <p className="dialog-note">Anyone with the link can download <strong>{d.entry.name}</strong> until it expires.</p>
        <label className="field">
          <span>Expires after</span>
          <select value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
            <Options items={EXPIRIES.map((x) => [x.seconds, x.label])} />
          </select>
        </label>
        {link && (
          <label className="field">
            <span>Link (valid until {formatDate(link.expires)})</span>
            <input readOnly value={link.url} onFocus={(e) => e.currentTarget.select()} />
          </label>
        )}
        {link?.note && <p className="dialog-note" role="status">{link.note}</p>}
        {error && <p className="field-error" role="alert">{error}</p>}
        <Buttons submit={link ? 'Copy a new link' : 'Create and copy link'} busy={busy} focus />
      </form>
    </Dialog>
  );
}

const FOLDER_KEY = 'skyferry.downloadFolder';

function DownloadDialog({ d }: { d: Of<'download'> }) {
  const close = useStore((s) => s.closeDialog);
  const [folder, setFolder] = useState(() => localStorage.getItem(FOLDER_KEY) ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [canChoose, setCanChoose] = useState(nativeDialogsAvailable);
  // A read with failover is for exactly one object (the engine refuses it for folders or several sources).
  const oneObject = d.entries.length === 1 && d.entries[0]?.isPrefix === false;
  const [alternates, setAlternates] = useState('');
  const [altError, setAltError] = useState<string | null>(null);
  const choose = async (): Promise<void> => {
    try {
      const picked = await pickFolder({ title: 'Download to', defaultPath: folder.trim() || undefined });
      if (picked) {
        setFolder(picked);
        setError(null);
      }
    } catch (e) {
      setError(errorMessage(e));
    }
    // An `unsupported` answer means there is no native dialog here: the typed path is the way.
    setCanChoose(nativeDialogsAvailable());
  };
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const f = folder.trim();
    const problem = !f ? 'Enter the folder to download into.' : !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(f) ? 'Enter a full path, such as /home/me/Downloads or C:\\Users\\me\\Downloads.' : null;
    setError(problem);
    const alt = oneObject ? parseAlternates(alternates) : { uris: [] };
    setAltError('problem' in alt ? alt.problem : null);
    if (problem || 'problem' in alt) return;
    localStorage.setItem(FOLDER_KEY, f);
    setBusy(true);
    if (await downloadEntries(d.pane, d.entries, f, alt.uris)) close();
    setBusy(false);
  };
  return (
    <Dialog title="Download" onClose={close}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="dialog-note">
          Download {formatCount(d.entries.length)} {d.entries.length === 1 ? 'item' : 'items'} to a folder on this computer. Names that are not safe on disk are escaped and reported.
        </p>
        <div className="field-with-button">
          <label className="field">
            <span>Folder on this computer</span>
            <input data-autofocus value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/home/me/Downloads" aria-invalid={error !== null} aria-describedby="download-error" />
          </label>
          {canChoose && (
            <button type="button" onClick={() => void choose()}>
              Choose…
            </button>
          )}
        </div>
        <p id="download-error" className="field-error" role={error ? 'alert' : undefined}>{error}</p>
        {oneObject && (
          <>
            <label className="field">
              <span>If this location fails, read from:</span>
              <textarea rows={2} spellCheck={false} value={alternates} onChange={(e) => setAlternates(e.target.value)} aria-invalid={altError !== null} aria-describedby="download-alternates-hint download-alternates-error" />
              <small id="download-alternates-hint" className="hint">
                Optional, one location a line, e.g. gs://account/bucket/key: copies of the same object in other saved locations.
              </small>
            </label>
            <p id="download-alternates-error" className="field-error" role={altError ? 'alert' : undefined}>{altError}</p>
          </>
        )}
        <Buttons submit="Download" busy={busy} />
      </form>
    </Dialog>
  );
}

export function Dialogs() {
  const d = useStore((s) => s.dialog);
  if (!d) return null;
  switch (d.type) {
    case 'accounts':
      return <AccountsDialog />;
    case 'mkdir':
      return <MkdirDialog d={d} />;
    case 'rename':
      return <RenameDialog d={d} />;
    case 'delete':
      return <DeleteDialog d={d} />;
    case 'presign':
      return <PresignDialog d={d} />;
    case 'download':
      return <DownloadDialog d={d} />;
    case 'copyEstimate':
      return <CopyEstimateDialog pane={d.pane} entries={d.entries} move={d.move} />;
    case 'pendingUploads':
      return <PendingUploadsDialog account={d.account} bucket={d.bucket} />;
    case 'preview':
      return <PreviewDialog key={d.entry.key} pane={d.pane} entry={d.entry} />;
  }
}
