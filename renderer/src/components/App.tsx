import { useEffect, useState } from 'react';
import { onConnectionStatus } from '../api/client';
import { useStore } from '../store';
import { subscribeJobs } from '../store/jobs.slice';
import { Dialogs } from './ActionDialogs';
import { MetadataPanel } from './MetadataPanel';
import { Pane } from './Pane';
import { Toasts } from './Toasts';
import { Toolbar } from './Toolbar';
import { TransfersPanel } from './TransfersPanel';

export function App() {
  const [connected, setConnected] = useState(true);

  useEffect(() => {
    onConnectionStatus((ok) => {
      setConnected(ok);
      // After a reconnect the engine may have moved on: catch up.
      if (ok) void useStore.getState().loadJobs();
    });
    const off = subscribeJobs(useStore.getState);
    const st = useStore.getState();
    void st.loadJobs();
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
    return off;
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

  return (
    <div className="app">
      <header className="app-head">
        <h1 className="app-title">Skyferry</h1>
        <Toolbar />
      </header>
      {!connected && (
        <p className="banner" role="alert">
          Lost the connection to Skyferry; reconnecting…
        </p>
      )}
      <main className="workspace">
        <Pane pane="left" />
        <Pane pane="right" />
        <MetadataPanel />
      </main>
      <TransfersPanel />
      <Dialogs />
      <Toasts />
    </div>
  );
}
