import { ArrowLeft, ArrowUp, RefreshCw } from 'lucide-react';
import { useEffect, useMemo, useState, type DragEvent } from 'react';
import { summarize } from '../store/rows';
import type { ScanCount } from '../store/lastScan';
import { useLastScan } from '../store/useLastScan';
import { usePaneRows } from '../store/usePaneRows';
import { transferToOther } from '../actions';
import { formatCount, formatDate, formatSize, truncateMiddle } from '../format';
import { useStore, type PaneId } from '../store';
import { collectDropped, uploadFiles } from '../upload';
import { ColumnChooser } from './ColumnChooser';
import { DRAG_TYPE, ObjectTable } from './ObjectTable';
import { openPendingUploads } from './PendingUploadsDialog';
import { AccountOptions } from './Options';
import { ProviderBadge } from './ProviderBadge';

function Breadcrumbs({ pane }: { pane: PaneId }) {
  const account = useStore((s) => s.panes[pane].account);
  const bucket = useStore((s) => s.panes[pane].bucket);
  const prefix = useStore((s) => s.panes[pane].prefix);
  const label = `${pane === 'left' ? 'Left' : 'Right'} pane location`;
  if (!account) return <nav className="breadcrumbs" aria-label={label} />;
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
    <nav className="breadcrumbs" aria-label={label}>
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
  const loaded = useStore((s) => s.panes[pane].entries.length);
  const complete = useStore((s) => s.panes[pane].complete);
  const loading = useStore((s) => s.panes[pane].loading);
  const total = useStore((s) => s.panes[pane].total);
  const selected = useStore((s) => s.selection[pane].selected);
  const view = usePaneRows(pane);
  const t = useMemo(() => summarize(view.rows, selected), [view, selected]);
  const shown = view.rows.length === loaded ? '' : ` (showing ${formatCount(view.rows.length)} of ${formatCount(loaded)})`;
  const selectedFiles = t.selectedCount - t.selectedFolders;
  const selectedParts = [selectedFiles > 0 || t.selectedFolders === 0 ? formatSize(t.selectedBytes) : '', t.selectedFolders > 0 ? plural(t.selectedFolders, 'folder') : '']
    .filter(Boolean)
    .join(' + ');
  return (
    <div className="status-line" data-testid={`${pane}-status`}>
      <span>
        {plural(t.folders, 'folder')}, {plural(t.files, 'file')}
        {shown}
        {!complete &&
          (loading && loaded === 0
            ? ' · loading…'
            : ` · first ${formatCount(loaded)}${total === null ? '' : ` of ${formatCount(total)}`} loaded, more in this listing`)}
      </span>
      {t.selectedCount > 0 && (
        <span>
          {formatCount(t.selectedCount)} selected · {selectedParts}
        </span>
      )}
    </div>
  );
}

/**
 * How much of a partial listing is in, against what the whole holds when that is known: a local folder's count of
 * names (the engine reads it whole), or the last cost scan of this bucket or prefix. A scan counts every object
 * below the prefix, so beside a listing with folders it is said as such rather than as the listing's size.
 */
function loadedText(loaded: number, total: number | null, scan: ScanCount | null, hasFolders: boolean, stopped: boolean): string {
  if (total !== null) return stopped ? `Stopped at ${formatCount(loaded)} of ${formatCount(total)} names.` : `${formatCount(loaded)} of ${formatCount(total)} names loaded; more in this folder.`;
  const head = stopped ? `Stopped at ${formatCount(loaded)} names` : `${formatCount(loaded)} names loaded`;
  if (!scan) return stopped ? `${head}.` : `${head}; more in this listing.`;
  const when = `scan of ${formatDate(scan.at)}`;
  if (hasFolders) return `${head}; the ${when} counted about ${formatCount(scan.objects)} objects here, subfolders included.`;
  return stopped
    ? `Stopped at ${formatCount(loaded)} of about ${formatCount(scan.objects)} objects (${when}).`
    : `${formatCount(loaded)} of about ${formatCount(scan.objects)} objects loaded (${when}).`;
}

/** A listing not wholly loaded, said plainly: how much is in, what a sort or filter covered, Load all and Cancel. */
function PartialBar({ pane }: { pane: PaneId }) {
  const complete = useStore((s) => s.panes[pane].complete);
  const loaded = useStore((s) => s.panes[pane].entries.length);
  const total = useStore((s) => s.panes[pane].total);
  // Read only by the text beside no whole-listing load: not scanned for while one runs page after page.
  const hasFolders = useStore((s) => !s.panes[pane].bulk && s.panes[pane].entries.some((e) => e.isPrefix));
  // The scan of this very bucket or prefix: none applies to a listing narrowed by the server filter.
  const scanUri = useStore((s) => {
    const p = s.panes[pane];
    return p.complete || !p.bucket || p.serverFilter || p.error ? null : s.uriOf(pane, p.prefix);
  });
  const scan = useLastScan(total === null ? scanUri : null);
  const bulk = useStore((s) => s.panes[pane].bulk);
  const stopped = useStore((s) => s.panes[pane].bulkStopped);
  const error = useStore((s) => s.panes[pane].error);
  const sort = useStore((s) => s.panes[pane].sort);
  const textFilter = useStore((s) => s.panes[pane].textFilter.trim());
  const atRoot = useStore((s) => s.panes[pane].bucket === '');
  if (atRoot || error || (complete && !bulk)) return null;
  const st = useStore.getState();
  if (bulk) {
    const doing =
      bulk.reason === 'search'
        ? `Searching the whole listing for “${textFilter}”…`
        : bulk.reason === 'end'
          ? 'Loading the rest of the listing to go to its end…'
          : 'Loading the whole listing…';
    return (
      <div className="partial-bar" data-testid={`${pane}-partial`}>
        <progress aria-label={`Loading the listing: ${formatCount(bulk.loaded)} names so far`} />
        <span role="status">
          {doing} {formatCount(bulk.loaded)} names so far{total !== null ? ` of ${formatCount(total)}` : ''}
        </span>
        <button type="button" onClick={() => st.cancelBulk(pane)}>
          Cancel
        </button>
      </div>
    );
  }
  const sortedPart = !(sort.column === 'name' && !sort.descending);
  const notes = [
    loadedText(loaded, total, scan, hasFolders, stopped),
    sortedPart ? 'Sorted only what is loaded.' : '',
    textFilter ? 'The filter covers only what is loaded.' : '',
  ].filter(Boolean);
  return (
    <div className="partial-bar" data-testid={`${pane}-partial`}>
      <span role="status">{notes.join(' ')}</span>
      <button type="button" onClick={() => void st.loadAll(pane, textFilter ? 'search' : 'all')}>
        Load all
      </button>
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
        aria-label="Filter loaded names containing (loads the rest of a partial listing)"
        placeholder="Contains…"
        value={textFilter}
        onChange={(e) => useStore.getState().setTextFilter(pane, e.target.value)}
      />
      <ColumnChooser pane={pane} />
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
        <button type="button" className="icon-text" aria-label="Back" title="Back (Alt+Left)" disabled={!canBack} onClick={() => void useStore.getState().goBack(pane)}>
          <ArrowLeft size={16} aria-hidden="true" />
        </button>
        <button type="button" className="icon-text" aria-label="Up one level" title="Up (Backspace)" disabled={!canUp} onClick={() => void useStore.getState().goUp(pane)}>
          <ArrowUp size={16} aria-hidden="true" />
        </button>
        <button type="button" className="icon-text" aria-label="Refresh" title="Refresh" disabled={!account} onClick={() => void useStore.getState().refresh(pane)}>
          <RefreshCw size={16} aria-hidden="true" />
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
      {account && <PartialBar pane={pane} />}
      <StatusLine pane={pane} />
    </section>
  );
}
