import type { StateCreator } from 'zustand';
import type { ObjectEntry } from '../../../shared/model';
import type { AppState } from './index';
import type { PaneId } from './panes.slice';

/** The one modal dialog open at a time, with what it acts on captured when it opened. */
export type DialogRequest =
  | { type: 'accounts' }
  | { type: 'mkdir'; pane: PaneId }
  | { type: 'rename'; pane: PaneId; entry: ObjectEntry }
  | { type: 'delete'; pane: PaneId; entries: ObjectEntry[] }
  | { type: 'presign'; pane: PaneId; entry: ObjectEntry }
  | { type: 'download'; pane: PaneId; entries: ObjectEntry[] }
  /** A large (or folder) copy or move between two accounts, confirmed with its cost estimate in front of the user. */
  | { type: 'copyEstimate'; pane: PaneId; entries: ObjectEntry[]; move: boolean }
  | { type: 'pendingUploads'; account: string; bucket: string }
  /** The preview of one file (its state is in the preview slice). */
  | { type: 'preview'; pane: PaneId; entry: ObjectEntry };

export interface DialogsSlice {
  dialog: DialogRequest | null;
  openDialog(dialog: DialogRequest): void;
  closeDialog(): void;
}

export const createDialogsSlice: StateCreator<AppState, [], [], DialogsSlice> = (set) => ({
  dialog: null,
  openDialog(dialog) {
    set({ dialog });
  },
  closeDialog() {
    set({ dialog: null });
  },
});
