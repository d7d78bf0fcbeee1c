import { isWindowsPath, localPathToUri, parentPrefix } from '../../shared/location';
import type { ObjectEntry } from '../../shared/model';
import { needsCostConfirmation } from './cost-confirm';
import { useStore, type PaneId } from './store';

/** User actions over the store and the contract, shared by the keyboard, the toolbar and the context menu. */

export function otherPane(pane: PaneId): PaneId {
  return pane === 'left' ? 'right' : 'left';
}

/** The selected rows of a pane in display order, else the focused row. */
export function selectedEntries(pane: PaneId): ObjectEntry[] {
  const s = useStore.getState();
  const p = s.panes[pane];
  const sel = s.selection[pane];
  const picked = p.entries.filter((e) => sel.selected.has(e.key));
  if (picked.length > 0) return picked;
  const focused = p.entries.find((e) => e.key === sel.focus);
  return focused ? [focused] : [];
}

function entryUri(pane: PaneId, entry: ObjectEntry): string | null {
  return useStore.getState().uriOf(pane, entry.key);
}

/** Whether the pane shows objects (not the account's bucket list, not an empty pane). */
export function inBucket(pane: PaneId): boolean {
  const p = useStore.getState().panes[pane];
  return p.account !== null && p.bucket !== '';
}

export async function transferToOther(pane: PaneId, move: boolean, entries = selectedEntries(pane)): Promise<void> {
  const s = useStore.getState();
  if (!inBucket(pane) || entries.length === 0) return;
  if (!inBucket(otherPane(pane))) {
    s.toast('error', 'Open a bucket or folder in the other pane first, then copy into it.');
    return;
  }
  if (await needsCostConfirmation(pane, otherPane(pane), entries)) {
    s.openDialog({ type: 'copyEstimate', pane, entries, move });
    return;
  }
  await startTransfer(pane, move, entries);
}

/** Starts the copy or move job at once (after the confirmation, or when none is needed); true when it started. */
export async function startTransfer(pane: PaneId, move: boolean, entries: ObjectEntry[], allowCloudPull = false): Promise<boolean> {
  const s = useStore.getState();
  const destination = s.uriOf(otherPane(pane));
  const sources = entries.map((e) => entryUri(pane, e)).filter((u): u is string => u !== null);
  if (!destination || sources.length === 0) return false;
  const what = `${move ? 'Move' : 'Copy'} ${describeEntries(entries)}`;
  return (await s.startCheckedJob({ kind: move ? 'move' : 'copy', sources, destination, ...(allowCloudPull ? { options: { allowCloudPull } } : {}) }, what)) !== null;
}

/** "report.pdf", or "3 items", for the conflict question. */
function describeEntries(entries: readonly ObjectEntry[]): string {
  return entries.length === 1 ? (entries[0]?.name ?? '') : `${entries.length} items`;
}

export async function deleteEntries(pane: PaneId, entries: ObjectEntry[]): Promise<void> {
  const sources = entries.map((e) => entryUri(pane, e)).filter((u): u is string => u !== null);
  if (sources.length === 0) return;
  await useStore.getState().startJob({ kind: 'delete', sources });
}

/**
 * Rename (or move, when the new name holds a '/') as a move job whose destination is the exact new key
 * (`destinationIsExact`): a file lands at that key, a folder's contents move under the new prefix.
 */
export async function renameEntry(pane: PaneId, entry: ObjectEntry, newName: string): Promise<boolean> {
  const s = useStore.getState();
  const base = newName.startsWith('/') ? newName.slice(1) : `${parentPrefix(entry.key)}${newName}`;
  const targetKey = entry.isPrefix ? `${base.replace(/\/+$/, '')}/` : base;
  const source = entryUri(pane, entry);
  const destination = s.uriOf(pane, targetKey);
  if (!source || !destination) return false;
  // A name that exists is replaced (or kept beside) only on the user's word: the engine refuses it otherwise.
  const id = await s.startCheckedJob({ kind: 'move', sources: [source], destination, options: { destinationIsExact: true } }, `Rename ${entry.name}`);
  return id !== null;
}

/** `alternates`: other locations of the one object downloaded, read in turn when it cannot be (a read with failover). */
export async function downloadEntries(pane: PaneId, entries: ObjectEntry[], folder: string, alternates: string[] = []): Promise<boolean> {
  const s = useStore.getState();
  const sources = entries.map((e) => entryUri(pane, e)).filter((u): u is string => u !== null);
  const destination = folderToUri(folder);
  if (sources.length === 0) return false;
  const options = alternates.length > 0 ? { alternates } : undefined;
  const id = await s.startCheckedJob({ kind: 'copy', sources, destination, ...(options ? { options } : {}) }, `Download ${describeEntries(entries)}`);
  return id !== null;
}

/** `/home/me/dl` -> `file:///home/me/dl/`; `C:\Users\me` -> `file:///C:/Users/me/`; `\\host\share` -> `file:///UNC/host/share/`. */
export function folderToUri(folder: string): string {
  const trimmed = folder.trim();
  let p = isWindowsPath(trimmed) ? localPathToUri(trimmed, 'win32') : `file://${trimmed.replace(/\\/g, '/')}`;
  if (!p.endsWith('/')) p += '/';
  return p;
}

export async function copyText(text: string, what: string): Promise<void> {
  const s = useStore.getState();
  try {
    await navigator.clipboard.writeText(text);
    s.toast('success', `${what} copied to the clipboard`);
  } catch {
    s.toast('error', `Could not use the clipboard; select and copy the ${what.toLowerCase()} by hand.`);
  }
}

export async function copyLocation(pane: PaneId, entry: ObjectEntry): Promise<void> {
  const uri = entryUri(pane, entry);
  if (uri) await copyText(uri, 'Location');
}
