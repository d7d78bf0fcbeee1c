import { randomUUID } from 'node:crypto';
import type { CloudTransfer, CloudTransferProgress, CreatedResource } from '../../../shared/contract/cloud-transfer.channels';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../shared/errors';
import { redact } from '../../../shared/redact';
import { createLogger } from '../log';
import { isFinal } from './progress';
import { engineName } from './routing';
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
  /** Deletes what Skyferry created for the transfer (`t.created`), never the data copied. */
  remove(t: CloudTransfer): Promise<void>;
}

export interface CloudTransferDeps {
  dataDir: string;
  /** A driver for the record's engine and connection (credentials come from the named account). */
  driverFor(t: CloudTransfer): ServiceDriver | Promise<ServiceDriver>;
  emit?(t: CloudTransfer): void;
}

export type NewTransfer = Pick<CloudTransfer, 'engine' | 'source' | 'destination' | 'connection' | 'migrationId'>;

const message = (e: unknown): string => redact(e instanceof Error ? e.message : String(e));

/**
 * The journaled cloud transfers and what can be done with them. A transfer is journaled before anything is created,
 * and each created resource is added as soon as the service returns it, so that a failure half-way leaves a record
 * of what to remove. A new service object over the same data folder sees the same transfers (the reattach).
 */
export class CloudTransferService {
  private constructor(
    private readonly deps: CloudTransferDeps,
    private readonly store: CloudTransferStore,
  ) {}

  static async open(deps: CloudTransferDeps): Promise<CloudTransferService> {
    const store = new CloudTransferStore(deps.dataDir);
    await store.load();
    return new CloudTransferService(deps, store);
  }

  list(): CloudTransfer[] {
    return this.store.list();
  }

  get(id: string): CloudTransfer {
    const t = this.store.get(id);
    if (!t) throw new NotFoundError(`No cloud transfer ${id}`);
    return t;
  }

  private async save(t: CloudTransfer): Promise<CloudTransfer> {
    await this.store.put(t);
    this.deps.emit?.(t);
    return t;
  }

  /** Journals a transfer about to be created. */
  async begin(spec: NewTransfer): Promise<CloudTransfer> {
    return this.save({ ...spec, id: randomUUID(), serviceJobId: '', created: [], createdAt: new Date().toISOString(), removed: false });
  }

  async addCreated(id: string, r: CreatedResource): Promise<void> {
    const t = this.get(id);
    await this.save({ ...t, created: [...t.created, r] });
  }

  /** Records the service's job and, once started, its run. */
  async setJob(id: string, serviceJobId: string, serviceRunId?: string): Promise<CloudTransfer> {
    return this.save({ ...this.get(id), serviceJobId, ...(serviceRunId ? { serviceRunId } : {}) });
  }

  /** Asks the service for the run's progress and journals it; a failure to reach the service is kept in words. */
  async refresh(id: string): Promise<CloudTransfer> {
    const t = this.get(id);
    if (!t.serviceRunId || t.removed) return t;
    try {
      const progress = await (await this.deps.driverFor(t)).progress(t);
      return await this.save({ ...t, progress, lastError: undefined, checkedAt: new Date().toISOString() });
    } catch (e) {
      log.warn(`could not read the progress of ${id}`, e);
      return this.save({ ...t, lastError: `${engineName(t.engine)} did not answer: ${message(e)}`, checkedAt: new Date().toISOString() });
    }
  }

  /** Every journaled transfer still running, refreshed (what the panel does after a restart). */
  async reattach(): Promise<CloudTransfer[]> {
    const open = this.list().filter((t) => t.serviceRunId && !t.removed && !(t.progress && isFinal(t.progress.state)));
    return Promise.all(open.map((t) => this.refresh(t.id)));
  }

  async pause(id: string): Promise<void> {
    const t = this.get(id);
    const d = await this.deps.driverFor(t);
    if (!d.pause) throw new InvalidInputError(`${engineName(t.engine)} cannot pause a run: cancel it instead, and a new run copies only what is still missing`);
    this.requireRun(t);
    await d.pause(t);
    await this.refresh(id);
  }

  async resume(id: string): Promise<void> {
    const t = this.get(id);
    const d = await this.deps.driverFor(t);
    if (!d.resume) throw new InvalidInputError(`${engineName(t.engine)} cannot pause or resume a run`);
    this.requireRun(t);
    await d.resume(t);
    await this.refresh(id);
  }

  async cancel(id: string): Promise<void> {
    const t = this.get(id);
    this.requireRun(t);
    if (t.progress && isFinal(t.progress.state)) throw new ConflictError('The run has already ended');
    await (await this.deps.driverFor(t)).cancel(t);
    await this.save({ ...t, cancelRequested: true });
    await this.refresh(id);
  }

  /** Deletes what was created in the cloud; refused while the run is going (cancel it first). */
  async remove(id: string): Promise<void> {
    const t = this.get(id);
    if (t.removed) return;
    if (t.serviceRunId && !(t.progress && isFinal(t.progress.state))) throw new ConflictError('The run is still going: cancel it (or let it end) before removing what was created for it');
    await (await this.deps.driverFor(t)).remove(t);
    await this.save({ ...t, removed: true });
  }

  private requireRun(t: CloudTransfer): void {
    if (!t.serviceRunId) throw new ConflictError('The transfer has not been started');
    if (t.removed) throw new ConflictError('What was created for this transfer has been removed');
  }
}
