import { readFile } from 'node:fs/promises';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { z } from 'zod';
import type { SyncStatus } from '../../../shared/contract/settings.channels';
import { NotFoundError } from '../../../shared/errors';
import { writeFileAtomic } from '../atomic-write';
import { createLogger } from '../log';

const log = createLogger('sync');

/** How long a folder must stay quiet after a change before the changes are sent. */
export const DEFAULT_QUIET_MS = 2000;

/** More changed paths than this in one batch (a large copy into the folder): the whole folder is compared instead. */
export const MAX_CHANGED_PATHS = 1000;

export interface SyncRun {
  runId: string;
  finished: Promise<{ ok: boolean; message?: string }>;
}

export interface FolderSyncDeps {
  dataDir: string;
  /** The local folder a profile's source names; throws when the profile is missing or its source is no local folder. */
  folderOf(profile: string): Promise<string>;
  /**
   * One sync: the profile's own run (compare the folder with each destination, then copy what is new or changed,
   * and delete only as the profile says: a mirror with deletions on, within its cap). With `paths` (relative to the
   * folder, '/'-separated; a folder's ends in '/'), only those are compared; without, the whole folder.
   */
  run(profile: string, paths?: readonly string[]): Promise<SyncRun>;
  emit(status: SyncStatus): void;
  quietMs?: number;
  /** MAX_CHANGED_PATHS unless given (tests). */
  maxChangedPaths?: number;
}

interface Entry {
  status: SyncStatus;
  watcher: FSWatcher | undefined;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
  /** Changes came in while a sync ran: another one follows it. */
  again: boolean;
  stopped: boolean;
  /** The paths the watcher saw change since the last sync began. */
  changed: Set<string>;
  /** The next sync compares the whole folder: the first one, and after a watcher error, an overflow or a failed run. */
  full: boolean;
}

const FileSchema = z.object({ profiles: z.array(z.string()) });

/**
 * Local folders kept in sync by a saved profile ("keep in sync"). chokidar watches each folder; after a quiet
 * spell the profile runs (as a job in Transfers, priced in the cost history) on just the paths that changed: each
 * is looked up at the source and the destinations, and sent or deleted as the profile says. Every start (also after
 * a restart: the list is kept in dataDir/sync.json), every watcher error, a batch of more than MAX_CHANGED_PATHS and
 * the run after a failed one compare the whole folder instead, so an event missed while nothing watched loses nothing.
 */
export class FolderSync {
  private readonly entries = new Map<string, Entry>();
  private readonly file: string;
  private readonly quietMs: number;
  private readonly maxChangedPaths: number;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly deps: FolderSyncDeps) {
    this.file = path.join(deps.dataDir, 'sync.json');
    this.quietMs = deps.quietMs ?? DEFAULT_QUIET_MS;
    this.maxChangedPaths = deps.maxChangedPaths ?? MAX_CHANGED_PATHS;
  }

  /** Starts again the folders kept in sync when the app last closed, each with a full compare. */
  async restore(): Promise<void> {
    let names: string[] = [];
    try {
      names = FileSchema.parse(JSON.parse(await readFile(this.file, 'utf8'))).profiles;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('the list of folders kept in sync could not be read', e);
    }
    for (const name of names) {
      await this.start(name).catch((e: unknown) => log.warn(`keeping the folder of "${name}" in sync could not start again`, e));
    }
  }

  list(): SyncStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e.status }));
  }

  async start(profile: string): Promise<SyncStatus> {
    const existing = this.entries.get(profile);
    if (existing) return { ...existing.status };
    const folder = await this.deps.folderOf(profile);
    const entry: Entry = {
      status: { profile, folder, state: 'comparing', pending: 0 },
      watcher: undefined,
      timer: undefined,
      busy: false,
      again: false,
      stopped: false,
      changed: new Set(),
      full: true,
    };
    this.entries.set(profile, entry);
    this.save();
    this.watch(entry);
    this.sync(entry);
    return { ...entry.status };
  }

  async stop(profile: string): Promise<void> {
    const entry = this.entries.get(profile);
    if (!entry) throw new NotFoundError(`"${profile}" is not being kept in sync`);
    this.entries.delete(profile);
    await this.halt(entry);
    this.save();
    await this.saving;
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.halt(e)));
    await this.saving;
  }

  private async halt(entry: Entry): Promise<void> {
    entry.stopped = true;
    clearTimeout(entry.timer);
    await entry.watcher?.close();
  }

  private watch(entry: Entry): void {
    const watcher = chokidar.watch(entry.status.folder, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 500, pollInterval: 100 } });
    entry.watcher = watcher;
    watcher.on('all', (event, file) => {
      // Skyferry's own temp files (a download into this folder) are not changes of the user's.
      if (path.basename(file).startsWith('.') && path.basename(file).includes('.tmp-')) return;
      const rel = path.relative(entry.status.folder, file).split(path.sep).join('/');
      if (rel === '' || rel.startsWith('../') || rel === '..' || entry.changed.size >= this.maxChangedPaths) entry.full = true;
      else entry.changed.add(event === 'addDir' || event === 'unlinkDir' ? `${rel}/` : rel);
      entry.status.pending++;
      this.update(entry);
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => this.sync(entry), this.quietMs);
    });
    watcher.on('error', (e: unknown) => {
      // An event may have been lost: watch again and compare the whole folder.
      log.warn(`watching ${entry.status.folder} failed; comparing the whole folder again`, e);
      void watcher.close();
      if (entry.stopped) return;
      entry.status.state = 'comparing';
      entry.full = true;
      this.update(entry);
      this.watch(entry);
      this.sync(entry);
    });
  }

  private sync(entry: Entry): void {
    if (entry.stopped) return;
    if (entry.busy) {
      entry.again = true;
      return;
    }
    const paths = entry.full ? undefined : [...entry.changed];
    if (paths?.length === 0) {
      entry.status.pending = 0;
      this.update(entry);
      return;
    }
    entry.changed = new Set();
    entry.full = false;
    entry.busy = true;
    entry.again = false;
    const pendingAtStart = entry.status.pending;
    entry.status.state = paths === undefined ? 'comparing' : 'syncing';
    this.update(entry);
    void (async () => {
      let outcome: { ok: boolean; message?: string };
      try {
        const run = await this.deps.run(entry.status.profile, paths);
        entry.status.lastRunId = run.runId;
        this.update(entry);
        outcome = await run.finished;
      } catch (e) {
        outcome = { ok: false, message: e instanceof Error ? e.message : String(e) };
      }
      entry.busy = false;
      if (entry.stopped) return;
      entry.status.pending = Math.max(0, entry.status.pending - pendingAtStart);
      entry.status.lastSync = new Date().toISOString();
      entry.status.state = outcome.ok ? 'watching' : 'failed';
      // What failed is not known path by path here: the next sync compares everything, at once after a run of some
      // paths (one that stopped on a deletion limit it could not judge goes on there), else on the next change.
      if (!outcome.ok) {
        entry.full = true;
        if (paths !== undefined) entry.again = true;
      }
      if (outcome.message === undefined || outcome.ok) delete entry.status.message;
      else entry.status.message = outcome.message;
      this.update(entry);
      if (entry.again || entry.status.pending > 0) {
        clearTimeout(entry.timer);
        entry.timer = setTimeout(() => this.sync(entry), this.quietMs);
      }
    })();
  }

  private update(entry: Entry): void {
    if (!entry.stopped) this.deps.emit({ ...entry.status });
  }

  private save(): void {
    const data = JSON.stringify({ profiles: [...this.entries.keys()] }, null, 2);
    this.saving = this.saving.then(() => writeFileAtomic(this.file, data)).catch((e: unknown) => log.warn('the list of folders kept in sync could not be saved', e));
  }
}
