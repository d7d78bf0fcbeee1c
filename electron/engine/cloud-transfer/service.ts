import { randomUUID } from 'node:crypto';
import type { CloudTransfer, CloudTransferProgress, CreatedResource } from '../../../shared/contract/cloud-transfer.channels';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../shared/errors';
import { redact } from '../../../shared/redact';
import { createLogger } from '../log';
import { isFinal } from './progress';
import { CAN_PAUSE, engineName } from './routing';
import { CloudTransferStore } from './store';

const log = createLogger('cloud-transfer');

/**
 * What one service can do with a journaled transfer. A missing `pause` / `resume` is the service's "cannot"
 * (DataSync and Storage Mover have none); the service above reads it and says so, without asking which service.
 */
export interface ServiceDriver {
  progress(t: CloudTransfer): Promise<CloudTransferProgress>;
  cancel(t: CloudTransfer): Promise<void>;
  pause?(t: CloudTransfer): Promise<void>;
  resume?(t: CloudTransfer): Promise<void>;
  /**
   * The newest run of the service's job (`t.serviceJobId`), for a transfer whose run was started but not journaled
   * (the app stopped between the two); undefined when the job has none.
   */
  latestRun(t: CloudTransfer): Promise<string | undefined>;
  /** Deletes what Skyferry created for the transfer (`t.created`), never the data copied. */
  remove(t: CloudTransfer): Promise<void>;
  /** Releases the SDK client (its sockets); the driver is not used after this. */
  close?(): Promise<void> | void;
}

export interface CloudTransferDeps {
  dataDir: string;
  /** A driver for the record's engine and connection (credentials come from the named account); closed after each use. */
  driverFor(t: CloudTransfer): ServiceDriver | Promise<ServiceDriver>;
  emit?(t: CloudTransfer): void;
  /**
   * Told once of each run that ended and belongs to a plan: the plan's verification, report and cost record.
   * Resolves when they are done; a rejection is kept on the transfer in words.
   */
  onEnded?(t: CloudTransfer): Promise<void>;
  /** How often a running transfer's progress is read from the service by `watch` (default 15 s). */
  pollMs?: number;
}

export type NewTransfer = Pick<CloudTransfer, 'engine' | 'source' | 'destination' | 'connection' | 'migrationId'>;

const message = (e: unknown): string => redact(e instanceof Error ? e.message : String(e));

/** A journaled record as the renderer gets it: with the service's name and whether it can pause. */
const view = (t: CloudTransfer): CloudTransfer => ({ ...t, engineName: engineName(t.engine), canPause: CAN_PAUSE[t.engine] });

/** Bytes per second between the previous read and this one, while the run is going; 0 otherwise. */
function speed(before: CloudTransfer, progress: CloudTransferProgress, now: Date): number {
  if (progress.state !== 'running' || !before.progress || !before.checkedAt) return 0;
  const seconds = (now.getTime() - Date.parse(before.checkedAt)) / 1000;
  const bytes = progress.bytesCopied - before.progress.bytesCopied;
  return seconds > 0 && bytes > 0 ? bytes / seconds : 0;
}

/**
 * The journaled cloud transfers and what can be done with them. A transfer is journaled before anything is created,
 * and each created resource is added as soon as the service returns it, so that a failure half-way leaves a record
 * of what to remove. A new service object over the same data folder sees the same transfers (the reattach).
 */
export class CloudTransferService {
  /** The end of each run being verified, by transfer id (so that it is handed over once). */
  private readonly ending = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly deps: CloudTransferDeps,
    private readonly store: CloudTransferStore,
  ) {}

  /** A driver for one use: its SDK client is closed once `fn` is done, whatever happened. */
  private async withDriver<T>(t: CloudTransfer, fn: (d: ServiceDriver) => Promise<T>): Promise<T> {
    const d = await this.deps.driverFor(t);
    try {
      return await fn(d);
    } finally {
      try {
        await d.close?.();
      } catch (e) {
        log.debug('an SDK client did not close cleanly', e);
      }
    }
  }

  /**
   * Follows the running transfers: reads each one's progress every `pollMs` (each read is journaled and announced),
   * and hands each ended run of a plan to its verification, also those that ended while the app was closed.
   */
  watch(): void {
    if (this.timer || this.closed) return;
    const tick = (): void => {
      this.polling = this.reattach()
        .then(() => Promise.all(this.list().filter((t) => this.needsVerifying(t)).map((t) => this.settle(t.id))))
        .catch((e: unknown) => log.warn('following the cloud transfers failed', e));
    };
    tick();
    this.timer = setInterval(tick, this.deps.pollMs ?? 15_000);
    this.timer.unref();
  }

  /** Stops following; waits for a read or a verification in progress. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    await Promise.allSettled([...this.ending.values()]);
  }

  private needsVerifying(t: CloudTransfer): boolean {
    return Boolean(this.deps.onEnded && t.migrationId && t.progress && isFinal(t.progress.state) && !t.verifiedAt && !t.verifyError && !t.removed);
  }

  /** Hands an ended run to the plan's verification once; resolves when it is done (or has failed, said on the record). */
  settle(id: string): Promise<void> {
    const running = this.ending.get(id);
    if (running) return running;
    const t = this.record(id);
    if (!this.needsVerifying(t) || this.closed) return Promise.resolve();
    const done = (async () => {
      try {
        await this.deps.onEnded?.(t);
        await this.save({ ...this.record(id), verifiedAt: new Date().toISOString() });
      } catch (e) {
        log.warn(`the verification after cloud transfer ${id} failed`, e);
        await this.save({ ...this.record(id), verifyError: `The verification after the run could not be made: ${message(e)}` });
      } finally {
        this.ending.delete(id);
      }
    })();
    this.ending.set(id, done);
    return done;
  }

  static async open(deps: CloudTransferDeps): Promise<CloudTransferService> {
    const store = new CloudTransferStore(deps.dataDir);
    await store.load();
    return new CloudTransferService(deps, store);
  }

  /** Newest first, as the Transfers panel shows them. */
  list(): CloudTransfer[] {
    return this.store.list().map(view);
  }

  get(id: string): CloudTransfer {
    return view(this.record(id));
  }

  /** The journaled record, without what `view` adds. */
  private record(id: string): CloudTransfer {
    const t = this.store.get(id);
    if (!t) throw new NotFoundError(`No cloud transfer ${id}`);
    return t;
  }

  private async save(t: CloudTransfer): Promise<CloudTransfer> {
    const { engineName: _name, canPause: _pause, ...journaled } = t;
    await this.store.put(journaled);
    const shown = view(journaled);
    this.deps.emit?.(shown);
    return shown;
  }

  /** Journals a transfer about to be created. */
  async begin(spec: NewTransfer): Promise<CloudTransfer> {
    return this.save({ ...spec, id: randomUUID(), serviceJobId: '', created: [], createdAt: new Date().toISOString(), removed: false });
  }

  async addCreated(id: string, r: CreatedResource): Promise<void> {
    const t = this.record(id);
    await this.save({ ...t, created: [...t.created, r] });
  }

  /** Records the service's job and, once started, its run. */
  async setJob(id: string, serviceJobId: string, serviceRunId?: string): Promise<CloudTransfer> {
    return this.save({ ...this.record(id), serviceJobId, ...(serviceRunId ? { serviceRunId } : {}) });
  }

  /**
   * Asks the service for the run's progress and journals it, with the speed since the last read; a failure to reach
   * the service is kept in words.
   */
  async refresh(id: string): Promise<CloudTransfer> {
    const t = this.record(id);
    if (!t.serviceRunId || t.removed) return view(t);
    try {
      const progress = await this.withDriver(t, (d) => d.progress(t));
      const now = new Date();
      const before = this.record(id);
      const saved = await this.save({ ...before, progress, lastError: undefined, checkedAt: now.toISOString(), bytesPerSecond: speed(before, progress, now) });
      if (this.needsVerifying(saved)) void this.settle(id);
      return saved;
    } catch (e) {
      log.warn(`could not read the progress of ${id}`, e);
      return this.save({ ...this.record(id), lastError: `${engineName(t.engine)} did not answer: ${message(e)}`, checkedAt: new Date().toISOString() });
    }
  }

  /**
   * Every journaled transfer still running, refreshed (what the panel does after a restart). A transfer whose job
   * was journaled but not its run is found again from the job: its newest run at the service.
   */
  async reattach(): Promise<CloudTransfer[]> {
    const open = this.store.list().filter((t) => t.serviceJobId && !t.removed && !(t.progress && isFinal(t.progress.state)));
    return Promise.all(open.map(async (t) => (t.serviceRunId ? this.refresh(t.id) : this.findRun(t))));
  }

  private async findRun(t: CloudTransfer): Promise<CloudTransfer> {
    try {
      const run = await this.withDriver(t, (d) => d.latestRun(t));
      if (!run) return await this.save({ ...this.record(t.id), lastError: `${engineName(t.engine)} has no run of ${t.serviceJobId}: it was created but not started`, checkedAt: new Date().toISOString() });
      await this.setJob(t.id, t.serviceJobId, run);
      return await this.refresh(t.id);
    } catch (e) {
      log.warn(`could not find the run of ${t.id}`, e);
      return this.save({ ...this.record(t.id), lastError: `${engineName(t.engine)} did not answer: ${message(e)}`, checkedAt: new Date().toISOString() });
    }
  }

  async pause(id: string): Promise<void> {
    const t = this.record(id);
    await this.withDriver(t, async (d) => {
      if (!d.pause) throw new InvalidInputError(`${engineName(t.engine)} cannot pause a run: cancel it instead, and a new run copies only what is still missing`);
      this.requireRun(t);
      await d.pause(t);
    });
    await this.refresh(id);
  }

  async resume(id: string): Promise<void> {
    const t = this.record(id);
    await this.withDriver(t, async (d) => {
      if (!d.resume) throw new InvalidInputError(`${engineName(t.engine)} cannot pause or resume a run`);
      this.requireRun(t);
      await d.resume(t);
    });
    await this.refresh(id);
  }

  async cancel(id: string): Promise<void> {
    const t = this.record(id);
    this.requireRun(t);
    if (t.progress && isFinal(t.progress.state)) throw new ConflictError('The run has already ended');
    await this.withDriver(t, (d) => d.cancel(t));
    await this.save({ ...this.record(id), cancelRequested: true });
    await this.refresh(id);
  }

  /** Deletes what was created in the cloud; refused while the run is going (cancel it first). */
  async remove(id: string): Promise<void> {
    const t = this.record(id);
    if (t.removed) return;
    if (t.serviceRunId && !(t.progress && isFinal(t.progress.state))) throw new ConflictError('The run is still going: cancel it (or let it end) before removing what was created for it');
    await this.withDriver(t, (d) => d.remove(t));
    await this.save({ ...t, removed: true });
  }

  /**
   * Forgets the transfers that are over and hold nothing in the user's cloud: ended (or never started) and with what
   * was created for them removed, or nothing created. One that ended with its job still in the cloud stays listed,
   * since its row is where that job is removed from; `kept` counts those.
   */
  async clearFinished(): Promise<{ cleared: number; kept: number }> {
    const over = this.store.list().filter((t) => !t.serviceRunId || (t.progress !== undefined && isFinal(t.progress.state)));
    const clear = over.filter((t) => (t.removed || t.created.length === 0) && !this.needsVerifying(t) && !this.ending.has(t.id));
    await this.store.forget(clear.map((t) => t.id));
    return { cleared: clear.length, kept: over.length - clear.length };
  }

  private requireRun(t: CloudTransfer): void {
    if (!t.serviceRunId) throw new ConflictError('The transfer has not been started');
    if (t.removed) throw new ConflictError('What was created for this transfer has been removed');
  }
}
