import { create } from 'zustand';
import { createAccountsSlice, type AccountsSlice } from './accounts.slice';
import { createCloudTransfersSlice, type CloudTransfersSlice } from './cloudTransfers.slice';
import { createConflictsSlice, type ConflictsSlice } from './conflicts.slice';
import { createCostsSlice, type CostsSlice } from './costs.slice';
import { createDialogsSlice, type DialogsSlice } from './dialogs.slice';
import { createEntraSlice, type EntraSlice } from './entra.slice';
import { createIdentitiesSlice, type IdentitiesSlice } from './identities.slice';
import { createJobsSlice, type JobsSlice } from './jobs.slice';
import { createLayoutSlice, type LayoutSlice } from './layout.slice';
import { createMigrationsSlice, type MigrationsSlice } from './migrations.slice';
import { createPanesSlice, type PanesSlice } from './panes.slice';
import { createPreviewSlice, type PreviewSlice } from './preview.slice';
import { createRetentionSlice, type RetentionSlice } from './retention.slice';
import { createSelectionSlice, type SelectionSlice } from './selection.slice';
import { createSettingsSlice, type SettingsSlice } from './settings.slice';
import { createStorageSlice, type StorageSlice } from './storage.slice';
import { createToastsSlice, type ToastsSlice } from './toasts.slice';
import { createUploadsSlice, type UploadsSlice } from './uploads.slice';
import { createVersionsSlice, type VersionsSlice } from './versions.slice';

export type AppState = AccountsSlice &
  PanesSlice &
  SelectionSlice &
  StorageSlice &
  UploadsSlice &
  JobsSlice &
  ToastsSlice &
  DialogsSlice &
  MigrationsSlice &
  CostsSlice &
  RetentionSlice &
  ConflictsSlice &
  EntraSlice &
  IdentitiesSlice &
  LayoutSlice &
  VersionsSlice &
  PreviewSlice &
  CloudTransfersSlice &
  SettingsSlice;

/** One store of typed slices (the zustand slices pattern); components read it through atomic selectors. */
export const useStore = create<AppState>()((...a) => ({
  ...createAccountsSlice(...a),
  ...createPanesSlice(...a),
  ...createSelectionSlice(...a),
  ...createStorageSlice(...a),
  ...createUploadsSlice(...a),
  ...createJobsSlice(...a),
  ...createToastsSlice(...a),
  ...createDialogsSlice(...a),
  ...createCostsSlice(...a),
  ...createMigrationsSlice(...a),
  ...createRetentionSlice(...a),
  ...createConflictsSlice(...a),
  ...createEntraSlice(...a),
  ...createIdentitiesSlice(...a),
  ...createLayoutSlice(...a),
  ...createVersionsSlice(...a),
  ...createPreviewSlice(...a),
  ...createCloudTransfersSlice(...a),
  ...createSettingsSlice(...a),
}));

export type { PaneId } from './panes.slice';
