import { JobQueue, type JobQueueOptions } from './job-queue';
import type { JobRunners } from './run-context';
import type { Resolver } from './types';
import { defaultRunners } from './runners';

export type { JobEventSink } from './job-queue';

export type JobManagerOptions = Omit<JobQueueOptions, 'runners'> & {
  /** Skyferry's runners (defaultRunners()) unless given. */
  runners?: JobRunners;
};

/** The engine's job manager: the kind-agnostic JobQueue given the runners of Skyferry's job kinds. */
export class JobManager extends JobQueue {
  /** The engine's resolver, for the checks made before a job starts (jobs:conflicts). */
  readonly resolve: Resolver;

  constructor(options: JobManagerOptions) {
    super({ ...options, runners: options.runners ?? defaultRunners() });
    this.resolve = options.resolve;
  }
}
