import type { DataSyncTransfer } from './aws-datasync';
import type { StorageMoverTransfer } from './azure-storage-mover';
import type { StsTransfer } from './gcp-sts';
import type { ServiceDriver } from './service';

/** Storage Transfer Service: pause, resume and cancel act on the run's operation; removal deletes the job. */
export function stsDriver(sts: StsTransfer): ServiceDriver {
  return {
    progress: (t) => sts.progress(t.serviceRunId ?? ''),
    cancel: (t) => sts.cancel(t.serviceRunId ?? ''),
    pause: (t) => sts.pause(t.serviceRunId ?? ''),
    resume: (t) => sts.resume(t.serviceRunId ?? ''),
    // The service lists a job's operations newest first.
    latestRun: async (t) => (await sts.operations(t.serviceJobId))[0]?.name,
    remove: async (t) => {
      for (const r of t.created.filter((c) => c.kind === 'sts-job')) await sts.remove(r.id);
    },
    close: () => sts.close(),
  };
}

/** DataSync: no pause; a cancelled execution reads as cancelled once the cancel was sent. */
export function dataSyncDriver(ds: DataSyncTransfer): ServiceDriver {
  return {
    progress: (t) => ds.progress(t.serviceRunId ?? '', t.cancelRequested === true),
    cancel: (t) => ds.cancel(t.serviceRunId ?? ''),
    // Skyferry starts one execution per task: the one still going, else the last listed.
    latestRun: async (t) => {
      const all = await ds.executions(t.serviceJobId);
      return (all.find((e) => !['SUCCESS', 'ERROR'].includes(e.status)) ?? all[all.length - 1])?.arn;
    },
    remove: (t) => ds.remove(t.created),
    close: () => ds.close(),
  };
}

/** Storage Mover: no pause; stopJob stops the job definition's current run. */
export function storageMoverDriver(mover: StorageMoverTransfer): ServiceDriver {
  return {
    progress: (t) => mover.progress(t.serviceJobId, t.serviceRunId ?? ''),
    cancel: (t) => mover.cancel(t.serviceJobId),
    latestRun: async (t) => (await mover.runs(t.serviceJobId)).pop(),
    remove: (t) => mover.remove(t.created),
    close: () => mover.close(),
  };
}
