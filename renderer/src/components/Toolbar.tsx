import { useRef } from 'react';
import { copyLocation, inBucket, otherPane, selectedEntries, transferToOther } from '../actions';
import { useStore } from '../store';
import { nativeDialogsAvailable } from '../native-dialogs';
import { fromFileList, uploadFiles, uploadFromDialog } from '../upload';

/** Every keyboard action, also as a button (acting on the active pane). */
export function Toolbar() {
  const pane = useStore((s) => s.activePane);
  // Subscribing to these keeps the enabled states current.
  const hasSelection = useStore((s) => s.selection[s.activePane].selected.size > 0 || s.selection[s.activePane].focus !== null);
  const here = useStore((s) => s.panes[s.activePane].account !== null && s.panes[s.activePane].bucket !== '');
  const there = useStore((s) => s.panes[otherPane(s.activePane)].bucket !== '');
  const openDialog = useStore((s) => s.openDialog);
  const fileInput = useRef<HTMLInputElement>(null);
  const one = (): ReturnType<typeof selectedEntries>[number] | undefined => {
    const e = selectedEntries(pane);
    return e.length === 1 ? e[0] : undefined;
  };
  const act = hasSelection && here;

  return (
    <div className="toolbar" role="toolbar" aria-label="Actions">
      <button type="button" onClick={() => openDialog({ type: 'accounts' })}>
        Accounts
      </button>
      <span className="toolbar-sep" aria-hidden="true" />
      <button type="button" disabled={!here} onClick={() => {
          const browse = (): void => fileInput.current?.click();
          // Desktop: the native dialog gives paths, copied straight from disk; served mode: the browser's input.
          if (nativeDialogsAvailable()) void uploadFromDialog(pane, browse);
          else browse();
        }}
      >
        Upload…
      </button>
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        aria-label="Files to upload"
        onChange={(e) => {
          const list = e.target.files;
          if (list && inBucket(pane)) void uploadFiles(pane, fromFileList(list));
          e.target.value = '';
        }}
      />
      <button type="button" disabled={!act} onClick={() => openDialog({ type: 'download', pane, entries: selectedEntries(pane) })}>
        Download…
      </button>
      <button type="button" disabled={!act || !there} title="F5" onClick={() => void transferToOther(pane, false)}>
        Copy → other pane
      </button>
      <button type="button" disabled={!act || !there} title="F6" onClick={() => void transferToOther(pane, true)}>
        Move → other pane
      </button>
      <button type="button" disabled={!here} onClick={() => openDialog({ type: 'mkdir', pane })}>
        New folder…
      </button>
      <button
        type="button"
        disabled={!act}
        title="F2"
        onClick={() => {
          const e = one();
          if (e) openDialog({ type: 'rename', pane, entry: e });
        }}
      >
        Rename…
      </button>
      <button type="button" disabled={!act} title="Delete" onClick={() => openDialog({ type: 'delete', pane, entries: selectedEntries(pane) })}>
        Delete…
      </button>
      <button
        type="button"
        disabled={!act}
        onClick={() => {
          const e = one();
          if (e && !e.isPrefix) openDialog({ type: 'presign', pane, entry: e });
        }}
      >
        Share link…
      </button>
      <button
        type="button"
        disabled={!hasSelection}
        onClick={() => {
          const e = one();
          if (e) void copyLocation(pane, e);
        }}
      >
        Copy location
      </button>
    </div>
  );
}
