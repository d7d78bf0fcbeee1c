import type { StateCreator } from 'zustand';
import { EMPTY_SELECTION, type SelectionState } from '../selection';
import type { AppState } from './index';
import type { PaneId } from './panes.slice';

export interface SelectionSlice {
  selection: Record<PaneId, SelectionState>;
  setSelection(pane: PaneId, next: SelectionState): void;
  clearSelection(pane: PaneId): void;
}

export const createSelectionSlice: StateCreator<AppState, [], [], SelectionSlice> = (set) => ({
  selection: { left: EMPTY_SELECTION, right: EMPTY_SELECTION },
  setSelection(pane, next) {
    set((s) => ({ selection: { ...s.selection, [pane]: next } }));
  },
  clearSelection(pane) {
    set((s) => ({ selection: { ...s.selection, [pane]: EMPTY_SELECTION } }));
  },
});
