import type { StateCreator } from 'zustand';
import type { AppState } from './index';

export type ToastKind = 'info' | 'success' | 'error';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

export interface ToastsSlice {
  toasts: Toast[];
  toast(kind: ToastKind, text: string): void;
  dismissToast(id: number): void;
}

let nextToastId = 1;

export const createToastsSlice: StateCreator<AppState, [], [], ToastsSlice> = (set, get) => ({
  toasts: [],
  toast(kind, text) {
    const id = nextToastId++;
    set((s) => ({ toasts: [...s.toasts.slice(-4), { id, kind, text }] }));
    // Errors stay longer: the user has to read what to do.
    setTimeout(() => get().dismissToast(id), kind === 'error' ? 12_000 : 5_000);
  },
  dismissToast(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
});
