import type { StateCreator } from 'zustand';
import type { ObjectEntry } from '../../../shared/model';
import type { PreviewInfo } from '../../../shared/preview';
import { errorMessage, invoke } from '../api/client';
import type { AppState } from './index';
import type { PaneId } from './panes.slice';

/** The preview of one object: its link and kind from the engine, and for text the text itself. */
export interface PreviewState {
  uri: string;
  status: 'loading' | 'ready' | 'error';
  info?: PreviewInfo;
  text?: string;
  error?: string;
}

export interface PreviewSlice {
  preview: PreviewState | null;
  /** Opens the preview dialog for a file of a pane (folders are opened by openEntry, not previewed). */
  openPreview(pane: PaneId, entry: ObjectEntry): Promise<void>;
  /** Space on a file: opens its preview, or closes it when it is the one shown (Finder's Quick Look). */
  togglePreview(pane: PaneId, entry: ObjectEntry): void;
}

export const createPreviewSlice: StateCreator<AppState, [], [], PreviewSlice> = (set, get) => ({
  preview: null,
  async openPreview(pane, entry) {
    const uri = get().uriOf(pane, entry.key);
    if (!uri || entry.isPrefix) return;
    const mine = (): boolean => get().preview?.uri === uri;
    set({ preview: { uri, status: 'loading' } });
    get().openDialog({ type: 'preview', pane, entry });
    try {
      const info = await invoke('objects:preview', { uri });
      if (!mine()) return;
      let text: string | undefined;
      if (info.kind === 'text' && info.url) {
        // Same-origin link served by the engine; the text is shown as text (highlighted), never as markup.
        const res = await fetch(info.url, { credentials: 'same-origin', cache: 'no-store' });
        if (!res.ok) throw new Error(`The preview could not be read (${res.status}).`);
        text = await res.text();
      }
      if (mine()) set({ preview: { uri, status: 'ready', info, ...(text !== undefined ? { text } : {}) } });
    } catch (e) {
      if (mine()) set({ preview: { uri, status: 'error', error: errorMessage(e) } });
    }
  },
  togglePreview(pane, entry) {
    const d = get().dialog;
    if (d?.type === 'preview' && d.pane === pane && d.entry.key === entry.key) get().closeDialog();
    else void get().openPreview(pane, entry);
  },
});
