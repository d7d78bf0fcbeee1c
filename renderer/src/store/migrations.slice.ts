import { z } from 'zod';
import type { StateCreator } from 'zustand';
import {
  PlanItemSchema,
  ReportRowSchema,
  type MigrationRequestInput,
  type MigrationSummary,
  type PlanGroup,
  type PlanItem,
  type PlanProgress,
  type Profile,
  type ReportRow,
} from '../../../shared/contract';
import { errorMessage, invoke, on } from '../api/client';
import type { AppState } from './index';
import { orToast } from './outcome';

/** A finished migration's rows, as its JSON export holds them; or why they could not be read. */
export type MigrationReportRows = { rows: ReportRow[]; differences: PlanItem[] } | { error: string };

/** The page of one plan group a destination shows; `page` stays while the next one loads. */
export interface PlanGroupPage {
  group: PlanGroup;
  page: { items: PlanItem[]; total: number } | null;
  error: string | null;
}

const ExportSchema = z.object({ rows: z.array(ReportRowSchema), differences: z.array(PlanItemSchema) });

export interface MigrationsSlice {
  migrations: Record<string, MigrationSummary>;
  /** Newest first. */
  migrationOrder: string[];
  /** The latest `plans:progress` per migration (objects compared while planning or verifying). */
  migrationProgress: Record<string, PlanProgress>;
  /** The migration shown in the Migrations view. */
  openMigrationId: string | null;
  profiles: Profile[];
  /** A request to load into the form (a profile being edited); the form takes it and clears it. */
  migrationDraft: { request: MigrationRequestInput; name?: string } | null;
  setOpenMigration(id: string | null): void;
  setMigrationProgress(p: PlanProgress): void;
  setMigrationDraft(draft: MigrationsSlice['migrationDraft']): void;
  upsertMigration(m: MigrationSummary): void;
  loadMigrations(): Promise<void>;
  fetchMigration(id: string): Promise<void>;
  createPlan(request: MigrationRequestInput, name?: string): Promise<string | null>;
  migrationAction(action: 'plans:run' | 'plans:confirmDeletions' | 'plans:cancel' | 'plans:remove', id: string): Promise<boolean>;
  exportReport(id: string, format: 'json' | 'csv'): Promise<void>;
  loadProfiles(): Promise<void>;
  saveProfile(name: string, request: MigrationRequestInput): Promise<boolean>;
  removeProfile(name: string): Promise<void>;
  runProfile(name: string): Promise<void>;
  /** Downloads a profile as a readable YAML file (accounts by name, no secret), for `skyferry migrate --profile`. */
  exportProfile(name: string): Promise<void>;
  /** Saves the profile a YAML file holds; a bad file's toast names the line and the field. */
  importProfile(text: string, fileName: string): Promise<boolean>;
  /** The report rows of one migration at a time (a report can hold a row per object). */
  migrationReport: { id: string; rows: MigrationReportRows } | null;
  loadMigrationReport(id: string, signal?: AbortSignal): Promise<void>;
  /** Per migration and destination (`id/dest`), the group page shown. */
  planPages: Record<string, PlanGroupPage>;
  loadPlanPage(request: { id: string; dest: number; group: PlanGroup; offset: number; limit: number }, signal?: AbortSignal): Promise<void>;
}

export const planPageKey = (id: string, dest: number): string => `${id}/${dest}`;

const ordered = (all: Record<string, MigrationSummary>): string[] =>
  Object.values(all)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((m) => m.id);

/** Saves text as a file through a Blob URL (works in the browser-served mode and in Electron alike). */
export function downloadText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the URL is no longer needed once it has been read.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const createMigrationsSlice: StateCreator<AppState, [], [], MigrationsSlice> = (set, get) => ({
  migrations: {},
  migrationOrder: [],
  migrationProgress: {},
  openMigrationId: null,
  profiles: [],
  migrationDraft: null,
  setOpenMigration(id) {
    set({ openMigrationId: id });
  },
  setMigrationProgress(p) {
    set((s) => ({ migrationProgress: { ...s.migrationProgress, [p.id]: p } }));
  },
  setMigrationDraft(draft) {
    set({ migrationDraft: draft });
  },
  upsertMigration(m) {
    set((s) => {
      const migrations = { ...s.migrations, [m.id]: m };
      return { migrations, migrationOrder: ordered(migrations) };
    });
  },
  async loadMigrations() {
    try {
      const list = await invoke('plans:list', {});
      const migrations = Object.fromEntries(list.map((m) => [m.id, m]));
      set({ migrations, migrationOrder: ordered(migrations) });
    } catch {
      // An engine without migrations: the history stays empty.
    }
  },
  async fetchMigration(id) {
    try {
      get().upsertMigration(await invoke('plans:get', { id }));
    } catch {
      // Removed meanwhile: the next list drops it.
    }
  },
  async createPlan(request, name) {
    try {
      const { id } = await invoke('plans:create', { ...request, ...(name ? { name } : {}) });
      set({ openMigrationId: id });
      await get().fetchMigration(id);
      return id;
    } catch (e) {
      get().toast('error', `Could not build the plan: ${errorMessage(e)}`);
      return null;
    }
  },
  async migrationAction(action, id) {
    try {
      await invoke(action, { id });
      if (action === 'plans:remove') {
        set((s) => {
          const migrations = { ...s.migrations };
          delete migrations[id];
          return { migrations, migrationOrder: ordered(migrations), openMigrationId: s.openMigrationId === id ? null : s.openMigrationId };
        });
      } else await get().fetchMigration(id);
      return true;
    } catch (e) {
      get().toast('error', errorMessage(e));
      return false;
    }
  },
  async exportReport(id, format) {
    try {
      const { text, fileName } = await invoke('plans:export', { id, format });
      downloadText(text, fileName, format === 'json' ? 'application/json' : 'text/csv');
    } catch (e) {
      get().toast('error', `Could not export the report: ${errorMessage(e)}`);
    }
  },
  async loadProfiles() {
    try {
      set({ profiles: await invoke('profiles:list', {}) });
    } catch {
      // As for the history: nothing to show.
    }
  },
  async saveProfile(name, request) {
    try {
      await invoke('profiles:save', { name, request });
      get().toast('success', `Saved the migration as "${name}"`);
      await get().loadProfiles();
      return true;
    } catch (e) {
      get().toast('error', `Could not save the profile: ${errorMessage(e)}`);
      return false;
    }
  },
  async removeProfile(name) {
    if (await orToast(get, () => invoke('profiles:remove', { name }))) await get().loadProfiles();
  },
  async runProfile(name) {
    try {
      const { id } = await invoke('profiles:run', { name });
      set({ openMigrationId: id });
      await get().fetchMigration(id);
    } catch (e) {
      get().toast('error', `Could not run "${name}": ${errorMessage(e)}`);
    }
  },
  async exportProfile(name) {
    try {
      const { text, fileName } = await invoke('profiles:exportYaml', { name });
      downloadText(text, fileName, 'application/yaml');
    } catch (e) {
      get().toast('error', `Could not export "${name}": ${errorMessage(e)}`);
    }
  },
  async importProfile(text, fileName) {
    try {
      const { name } = await invoke('profiles:importYaml', { text, fileName });
      get().toast('success', `Imported the profile "${name}"`);
      await get().loadProfiles();
      return true;
    } catch (e) {
      get().toast('error', `Could not import the profile: ${errorMessage(e)}`);
      return false;
    }
  },
  migrationReport: null,
  async loadMigrationReport(id, signal) {
    let rows: MigrationReportRows;
    try {
      const { text } = await invoke('plans:export', { id, format: 'json' }, signal);
      const parsed = ExportSchema.safeParse(JSON.parse(text));
      rows = parsed.success ? parsed.data : { error: 'The report could not be read.' };
    } catch (e) {
      if (signal?.aborted) return;
      rows = { error: errorMessage(e) };
    }
    set({ migrationReport: { id, rows } });
  },
  planPages: {},
  async loadPlanPage(request, signal) {
    const key = planPageKey(request.id, request.dest);
    const put = (change: (kept: PlanGroupPage['page']) => Omit<PlanGroupPage, 'group'>): void =>
      set((s) => {
        const cur = s.planPages[key];
        const kept = cur?.group === request.group ? cur.page : null;
        return { planPages: { ...s.planPages, [key]: { group: request.group, ...change(kept) } } };
      });
    put((page) => ({ page, error: null }));
    try {
      const page = await invoke('plans:page', request, signal);
      put(() => ({ page, error: null }));
    } catch (e) {
      if (!signal?.aborted) put((page) => ({ page, error: errorMessage(e) }));
    }
  },
});

/** Keeps the migrations in step with `plans:progress`; a change of state fetches the summary. */
export function subscribeMigrations(getState: () => AppState): () => void {
  return on('plans:progress', (p) => {
    const st = getState();
    const known = st.migrations[p.id];
    // Progress events come a few per second: keep only the latest.
    st.setMigrationProgress(p);
    if (!known || known.state !== p.state || p.compared === 0) void st.fetchMigration(p.id);
  });
}
