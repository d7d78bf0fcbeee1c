import type { EventName, EventPayload } from '../../../shared/contract';
import type { MigrationSummary } from '../../../shared/contract/migrations.channels';
import type { JobManager } from '../jobs/job-manager';
import type { PlanStore } from './plan-store';
import type { PlannerDeps } from './planner';

export interface MigrationDeps extends PlannerDeps {
  dataDir: string;
  jobs: JobManager;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Told of every run that ends, once its report is built (the cost history); never throws. */
  onRunFinished?: (s: MigrationSummary) => Promise<void>;
}

/**
 * What a run (run.ts) and its report (report.ts) use of the migration service: the summaries, the store they are
 * saved in, and the service's dependencies. The service implements it, so neither imports the service back.
 */
export interface MigrationHost {
  readonly deps: MigrationDeps;
  readonly store: PlanStore;
  get(id: string): MigrationSummary;
  /** Persists and announces a change of state; rejects with a FatalError that says why when it cannot be written. */
  save(s: MigrationSummary): Promise<void>;
  /** The same, for saves nothing above would catch: a failure marks the migration failed and announces it, never rejects. */
  saveOrReport(s: MigrationSummary): Promise<void>;
  fail(s: MigrationSummary, message: string | undefined, cause?: unknown): void;
}
