import { useEffect, useMemo, useState, type DragEvent } from 'react';
import { summarize } from '../store/rows';
import { usePaneRows } from '../store/usePaneRows';
import { transferToOther } from '../actions';
import { formatCount, formatSize, truncateMiddle } from '../format';
import { useStore, type PaneId } from '../store';
import { collectDropped, uploadFiles } from '../upload';
import { DRAG_TYPE, ObjectTable } from './ObjectTable';
import { openPendingUploads } from './PendingUploadsDialog';
import { AccountOptions } from './Options';
import { ProviderBadge } from './ProviderBadge';

function Breadcrumbs({ pane }: { pane: PaneId }) {
  const account = useStore((s) => s.panes[pane].account);
  const bucket = useStore((s) => s.panes[pane].bucket);
  const prefix = useStore((s) => s.panes[pane].prefix);
  if (!account) return <nav className="breadcrumbs" aria-label="Location" />;
  const parts = prefix.split('/').filter((p, i, all) => p !== '' || i < all.length - 1);
  const go = (b: string, p: string): void => void useStore.getState().navigate(pane, { account, bucket: b, prefix: p });
  const crumbs: { label: string; go: () => void }[] = [{ label: account, go: () => go('', '') }];
  if (bucket) crumbs.push({ label: bucket, go: () => go(bucket, '') });
  let acc = '';
  for (const part of parts) {
    acc += `${part}/`;
    const target = acc;
    crumbs.push({ label: part || '(empty)', go: () => go(bucket, target) });
  }
  return (
    <nav className="breadcrumbs" aria-label="Location">
      <ol>
        {crumbs.map((c, i) => (
          <li key={i}>
            {i === crumbs.length - 1 ? (
              <span aria-current="location" title={c.label}>{truncateMiddle(c.label, 32)}</span>
            ) : (
              <button type="button" className="crumb" onClick={c.go} title={c.label}>
                {truncateMiddle(c.label, 24)}
              </button>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

function StatusLine({ pane }: { pane: PaneId }) {
  const entries = useStore((s) => s.panes[pane].entries);
  const complete = useStore((s) => s.panes[pane].complete);
  const loading = useStore((s) => s.panes[pane].loading);
  const selected = useStore((s) => s.selection[pane].selected);
  const rows = usePaneRows(pane);
  const t = useMemo(() => summarize(rows, selected), [rows, selected]);
  const shown = rows.length === entries.length ? '' : ` (showing ${formatCount(rows.length)} of ${formatCount(entries.length)})`;
  return (
    <div className="status-line" data-testid={`${pane}-status`}>
      <span>
        {plural(t.folders, 'folder')}, {plural(t.files, 'file')}{shown}
        {!complete && (loading ? ' · loading…' : ' · more as you scroll')}
      </span>
      {t.selectedCount > 0 && (
        <span>
          {formatCount(t.selectedCount)} selected · {formatSize(t.selectedBytes)}
          {t.selectedFolders > 0 ? ` + ${formatCount(t.selectedFolders)} folders` : ''}
        </span>
      )}
    </div>
  );
}

function Filters({ pane }: { pane: PaneId }) {
  const textFilter = useStore((s) => s.panes[pane].textFilter);
  const serverFilter = useStore((s) => s.panes[pane].serverFilter);
  const [prefixDraft, setPrefixDraft] = useState(serverFilter);
  useEffect(() => setPrefixDraft(serverFilter), [serverFilter]);
  // The server filter re-lists: wait until typing pauses.
  useEffect(() => {
    if (prefixDraft === serverFilter) return undefined;
    const t = window.setTimeout(() => void useStore.getState().setServerFilter(pane, prefixDraft), 350);
    return () => window.clearTimeout(t);
  }, [prefixDraft, serverFilter, pane]);
  return (
    <div className="filters">
      <input
        type="search"
        aria-label="Names starting with (asks the server)"
        placeholder="Starts with…"
        value={prefixDraft}
        onChange={(e) => setPrefixDraft(e.target.value)}
      />
      <input
        type="search"
        aria-label="Filter loaded names containing"
        placeholder="Contains…"
        value={textFilter}
        onChange={(e) => useStore.getState().setTextFilter(pane, e.target.value)}
      />
    </div>
  );
}

export function Pane({ pane }: { pane: PaneId }) {
  const accounts = useStore((s) => s.accounts);
  const account = useStore((s) => s.panes[pane].account);
  const error = useStore((s) => s.panes[pane].error);
  const canBack = useStore((s) => s.panes[pane].back.length > 0);
  const canUp = useStore((s) => s.panes[pane].bucket !== '');
  const active = useStore((s) => s.activePane === pane);
  const [dropping, setDropping] = useState(false);
  const kind = accounts.find((a) => a.settings.name === account)?.settings.kind;
  const label = pane === 'left' ? 'Left pane' : 'Right pane';

  const onDragOver = (e: DragEvent): void => {
    const types = Array.from(e.dataTransfer.types);
    if (!types.includes(DRAG_TYPE) && !types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = e.shiftKey ? 'move' : 'copy';
    setDropping(true);
  };

  const onDrop = (e: DragEvent): void => {
    e.preventDefault();
    setDropping(false);
    const internal = e.dataTransfer.getData(DRAG_TYPE);
    if (internal) {
      let from: unknown;
      try {
        from = (JSON.parse(internal) as { pane?: unknown }).pane;
      } catch {
        from = null;
      }
      if ((from === 'left' || from === 'right') && from !== pane) void transferToOther(from, e.shiftKey);
      return;
    }
    const resolve = collectDropped(e.dataTransfer);
    void resolve().then((files) => uploadFiles(pane, files));
  };

  return (
    <section
      className={`pane${active ? ' active' : ''}${dropping ? ' dropping' : ''}`}
      aria-label={label}
      data-testid={`${pane}-pane`}
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={onDrop}
      onMouseDown={() => useStore.getState().setActivePane(pane)}
    >
      <div className="pane-bar">
        <ProviderBadge kind={kind} />
        <select
          aria-label={`${label} account`}
          value={account ?? ''}
          onChange={(e) => {
            const name = e.target.value;
            if (name) void useStore.getState().navigate(pane, { account: name, bucket: '', prefix: '' });
          }}
        >
          <AccountOptions placeholder="Choose an account…" />
        </select>
        <button type="button" aria-label="Back" title="Back (Alt+Left)" disabled={!canBack} onClick={() => void useStore.getState().goBack(pane)}>
          ←
        </button>
        <button type="button" aria-label="Up one level" title="Up (Backspace)" disabled={!canUp} onClick={() => void useStore.getState().goUp(pane)}>
          ↑
        </button>
        <button type="button" aria-label="Refresh" title="Refresh" disabled={!account} onClick={() => void useStore.getState().refresh(pane)}>
          ⟳
        </button>
        {canUp && kind !== 'local' && (
          <button type="button" aria-label="Unfinished uploads" title="Unfinished uploads in this bucket" onClick={() => openPendingUploads(pane)}>
            Unfinished…
          </button>
        )}
      </div>
      <Breadcrumbs pane={pane} />
      {account && <Filters pane={pane} />}
      {error && (
        <p className="pane-error" role="alert">
          {error}
        </p>
      )}
      {account ? <ObjectTable pane={pane} /> : <p className="empty-note">Choose an account above, or add one in Accounts.</p>}
      <StatusLine pane={pane} />
    </section>
  );
}
