import { PanelRightClose, PanelRightOpen } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Panel, PanelGroup, PanelResizeHandle } from 'react-resizable-panels';
import { onConnectionStatus } from '../api/client';
import { useStore } from '../store';
import { subscribeCloudTransfers } from '../store/cloudTransfers.slice';
import { subscribeIdentities } from '../store/identities.slice';
import { subscribeJobs } from '../store/jobs.slice';
import { subscribeEntra } from '../store/entra.slice';
import { subscribeMigrations } from '../store/migrations.slice';
import { subscribeSettings } from '../store/settings.slice';
import { SettingsButton } from './settings/SettingsButton';
import { Dialogs } from './ActionDialogs';
import { ConflictDialog } from './ConflictDialog';
import { CostsView } from './costs/CostsView';
import { MetadataPanel } from './MetadataPanel';
import { MfaPrompt } from './MfaPrompt';
import { MigrationsView } from './migrations/MigrationsView';
import { Pane } from './Pane';
import { Toasts } from './Toasts';
import { EntraDeviceCodeNotice } from './EntraSignIn';
import { Toolbar } from './Toolbar';
import { TransfersPanel, useOpenOnNewJob } from './TransfersPanel';

/** The top-level views; each is one entry here and one branch below. */
const VIEWS = [
  { id: 'browse', label: 'Browse' },
  { id: 'migrations', label: 'Migrations' },
  { id: 'costs', label: 'Costs' },
] as const;
type View = (typeof VIEWS)[number]['id'];

/** The details panel's show/hide button, in a thin rail at the workspace's right edge where it stays in both states. */
function DetailsToggle() {
  const open = useStore((s) => s.detailsOpen);
  const Icon = open ? PanelRightClose : PanelRightOpen;
  return (
    <div className="details-rail">
      <button
        type="button"
        className="icon-text"
        aria-expanded={open}
        aria-controls={open ? 'details-area' : undefined}
        aria-label="Details panel"
        title={open ? 'Hide the details panel' : 'Show the details panel'}
        onClick={() => useStore.getState().setDetailsOpen(!open)}
      >
        <Icon size={16} aria-hidden="true" />
      </button>
    </div>
  );
}

export function App() {
  const [connected, setConnected] = useState(true);
  const [view, setView] = useState<View>('browse');

  useEffect(() => {
    onConnectionStatus((ok) => {
      setConnected(ok);
      // After a reconnect the engine may have moved on: catch up.
      if (ok) void Promise.all([useStore.getState().loadJobs(), useStore.getState().loadCloudTransfers()]);
    });
    const off = subscribeJobs(useStore.getState);
    const offCloud = subscribeCloudTransfers(useStore.getState);
    const offMigrations = subscribeMigrations(useStore.getState);
    const offEntra = subscribeEntra(useStore.getState);
    const offIdentities = subscribeIdentities(useStore.getState);
    const offSettings = subscribeSettings(useStore.getState);
    const st = useStore.getState();
    void st.loadJobs();
    void st.loadCloudTransfers();
    void st.loadAccounts().then(() => {
      const { accounts, panes, navigate, openDialog } = useStore.getState();
      if (accounts.length === 0) {
        openDialog({ type: 'accounts' });
        return;
      }
      // Open the first two accounts side by side so that there is something to look at.
      const ordered = [...accounts].sort((a, b) => Number(a.settings.kind === 'local') - Number(b.settings.kind === 'local'));
      const first = ordered[0]?.settings.name;
      const second = ordered[1]?.settings.name ?? first;
      if (first && !panes.left.account) void navigate('left', { account: first, bucket: '', prefix: '' }, false);
      if (second && !panes.right.account) void navigate('right', { account: second, bucket: '', prefix: '' }, false);
    });
    return () => {
      off();
      offCloud();
      offMigrations();
      offEntra();
      offIdentities();
      offSettings();
    };
  }, []);

  // Drops outside a pane must not make the browser open the file in place of the app.
  useEffect(() => {
    const stop = (e: DragEvent): void => e.preventDefault();
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);

  const transfersExpanded = useStore((s) => s.transfersExpanded);
  const detailsOpen = useStore((s) => s.detailsOpen);
  useOpenOnNewJob();

  return (
    <div className="app">
      <header className="app-head">
        <h1 className="app-title">Skyferry</h1>
        <nav className="view-switch" aria-label="Views">
          {VIEWS.map((v) => (
            <button key={v.id} type="button" aria-current={view === v.id ? 'page' : undefined} onClick={() => setView(v.id)}>
              {v.label}
            </button>
          ))}
        </nav>
        {view === 'browse' && <Toolbar />}
        <SettingsButton />
      </header>
      {!connected && (
        <p className="banner" role="alert">
          Lost the connection to Skyferry; reconnecting…
        </p>
      )}
      {/* Splitters keep every area usable at any window size; the panels remember their sizes in localStorage. */}
      <PanelGroup direction="vertical" autoSaveId="skyferry.layout.main" className="app-body">
        <Panel id="view" order={1} minSize={35} className="view-area">
          {view === 'browse' && (
            <main className="workspace" aria-label="Browse">
              <PanelGroup direction="horizontal" autoSaveId="skyferry.layout.browse">
                <Panel id="left" order={1} minSize={20} defaultSize={detailsOpen ? 39 : 50}>
                  <Pane pane="left" />
                </Panel>
                <PanelResizeHandle className="splitter splitter-v" aria-label="Resize the left and right panes" />
                <Panel id="right" order={2} minSize={20} defaultSize={detailsOpen ? 39 : 50}>
                  <Pane pane="right" />
                </Panel>
                {detailsOpen && (
                  <>
                    <PanelResizeHandle className="splitter splitter-v" aria-label="Resize the details panel" />
                    <Panel id="details" order={3} minSize={14} defaultSize={22}>
                      <div id="details-area" className="details-area">
                        <MetadataPanel />
                      </div>
                    </Panel>
                  </>
                )}
              </PanelGroup>
              <DetailsToggle />
            </main>
          )}
          {view === 'migrations' && <MigrationsView />}
          {view === 'costs' && (
            <main className="costs-main" aria-label="Costs">
              <CostsView />
            </main>
          )}
        </Panel>
        {transfersExpanded && (
          <>
            <PanelResizeHandle className="splitter splitter-h" aria-label="Resize the Transfers area" />
            <Panel id="transfers" order={2} minSize={12} defaultSize={28} className="transfers-area">
              <TransfersPanel />
            </Panel>
          </>
        )}
      </PanelGroup>
      <Toasts />
      {!transfersExpanded && <TransfersPanel />}
      <Dialogs />
      <ConflictDialog />
      <MfaPrompt />
      <EntraDeviceCodeNotice />
    </div>
  );
}
