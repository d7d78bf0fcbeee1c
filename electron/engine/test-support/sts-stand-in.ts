import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Storage } from '@google-cloud/storage';
import { TransferStandIn, type StandInRoute } from './transfer-stand-in';

/**
 * Storage Transfer Service's REST surface (storagetransfer.googleapis.com/v1, as in its REST reference: transferJobs
 * create / run / delete, transferOperations get / list / pause / resume / cancel, googleServiceAccounts get),
 * answering from an in-memory table. `script` says how each run's operation advances on each read.
 */
export interface StsScriptStep {
  status: 'QUEUED' | 'IN_PROGRESS' | 'PAUSED' | 'SUCCESS' | 'FAILED' | 'ABORTED';
  counters?: Record<string, string>;
  errorBreakdowns?: unknown[];
}

const OP_TYPE = 'type.googleapis.com/google.storagetransfer.v1.TransferOperation';

export interface StsStandInOptions {
  projectId: string;
  script: StsScriptStep[];
  pageSize?: number;
  extraOperations?: number;
  /**
   * Does the run's copy (a test copies between emulator buckets, so that the verification after the run has real
   * objects to check). The operation stays at its first step until the copy has finished.
   */
  onRun?: (job: Record<string, unknown>) => Promise<void>;
}

export function stsStandIn(opts: StsStandInOptions): TransferStandIn & { jobs: Map<string, Record<string, unknown>>; opState: Map<string, { step: number; override?: StsScriptStep['status'] }> } {
  const jobs = new Map<string, Record<string, unknown>>();
  const opState = new Map<string, { step: number; override?: StsScriptStep['status'] }>();
  const copying = new Set<string>();
  const ops: string[] = [];
  let seq = 0;

  const operation = (name: string, advance: boolean): Record<string, unknown> => {
    const s = opState.get(name) ?? { step: 0 };
    const step = opts.script[Math.min(s.step, opts.script.length - 1)] ?? { status: 'QUEUED' };
    if (advance && !s.override && !copying.has(name)) s.step += 1;
    opState.set(name, s);
    const status = s.override ?? step.status;
    const done = status === 'SUCCESS' || status === 'FAILED' || status === 'ABORTED';
    const jobName = `transferJobs/${name.split('-')[1] ?? ''}`;
    const metadata = { '@type': OP_TYPE, name, projectId: opts.projectId, transferJobName: jobName, status, counters: step.counters ?? {}, errorBreakdowns: step.errorBreakdowns ?? [], startTime: '2026-12-07T05:00:00Z', ...(done ? { endTime: '2026-12-07T05:10:00Z' } : {}) };
    return {
      name,
      metadata,
      done,
      ...(done && status === 'SUCCESS' ? { response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } } : {}),
      ...(done && status !== 'SUCCESS' ? { error: { code: status === 'ABORTED' ? 1 : 13, message: status === 'ABORTED' ? 'The operation was cancelled' : 'The transfer failed: see its error breakdowns' } } : {}),
    };
  };

  const routes: StandInRoute[] = [
    {
      name: 'googleServiceAccounts.get',
      method: 'GET',
      path: /^\/v1\/googleServiceAccounts\/([^/]+)$/,
      respond: ({ match }) => ({ body: { accountEmail: `project-123456@storage-transfer-service.iam.gserviceaccount.com`, subjectId: '1', projectIdEcho: match[1] } }),
    },
    {
      name: 'transferJobs.create',
      method: 'POST',
      path: /^\/v1\/transferJobs$/,
      required: ['projectId', 'status', 'transferSpec.gcsDataSink.bucketName'],
      respond: ({ body }) => {
        const spec = body.transferSpec as Record<string, unknown>;
        if (!spec.awsS3DataSource && !spec.gcsDataSource && !spec.azureBlobStorageDataSource) return { status: 400, body: { error: { code: 400, message: 'A data source is required', status: 'INVALID_ARGUMENT' } } };
        const name = `transferJobs/${1000 + ++seq}`;
        const job = { ...body, name, creationTime: '2026-12-07T05:00:00Z' };
        jobs.set(name, job);
        return { body: job };
      },
    },
    {
      name: 'transferJobs.run',
      method: 'POST',
      path: /^\/v1\/(transferJobs\/[^/:]+):run$/,
      required: ['projectId'],
      respond: ({ match }) => {
        const job = match[1] ?? '';
        if (!jobs.has(job)) return { status: 404, body: { error: { code: 404, message: `${job} not found`, status: 'NOT_FOUND' } } };
        const name = `transferOperations/transferJobs-${job.split('/')[1]}-${Date.now()}`;
        for (let i = 0; i < (opts.extraOperations ?? 0); i++) ops.push(`${name}-past${i}`);
        ops.unshift(name);
        if (opts.onRun) {
          copying.add(name);
          void opts
            .onRun(jobs.get(job) ?? {})
            .catch((e: unknown) => standIn.failures.push(`the stand-in's copy failed: ${e instanceof Error ? e.message : String(e)}`))
            .finally(() => copying.delete(name));
        }
        return { body: operation(name, false) };
      },
    },
    {
      name: 'transferOperations.list',
      method: 'GET',
      path: /^\/v1\/transferOperations$/,
      respond: ({ query }) => {
        const filter = JSON.parse(query.get('filter') ?? '{}') as { projectId?: string; jobNames?: string[] };
        if (filter.projectId !== opts.projectId) return { status: 400, body: { error: { code: 400, message: 'filter.projectId is required', status: 'INVALID_ARGUMENT' } } };
        // As the service does: only the operations of the jobs the filter names, when it names any.
        const mine = filter.jobNames ? ops.filter((n) => filter.jobNames?.includes(`transferJobs/${n.split('-')[1] ?? ''}`)) : ops;
        const size = opts.pageSize ?? 2;
        const start = Number(query.get('pageToken') || 0);
        const page = mine.slice(start, start + size).map((n) => operation(n, false));
        return { body: { operations: page, ...(start + size < mine.length ? { nextPageToken: String(start + size) } : {}) } };
      },
    },
    {
      name: 'transferOperations.get',
      method: 'GET',
      path: /^\/v1\/(transferOperations\/[^/:]+)$/,
      respond: ({ match }) => (opState.has(match[1] ?? '') ? { body: operation(match[1] ?? '', true) } : { status: 404, body: { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } } }),
    },
    ...(['pause', 'resume', 'cancel'] as const).map(
      (verb): StandInRoute => ({
        name: `transferOperations.${verb}`,
        method: 'POST',
        path: new RegExp(`^/v1/(transferOperations/[^/:]+):${verb}$`),
        respond: ({ match }) => {
          const s = opState.get(match[1] ?? '');
          if (!s) return { status: 404, body: { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } } };
          s.override = verb === 'pause' ? 'PAUSED' : verb === 'cancel' ? 'ABORTED' : undefined;
          return { body: {} };
        },
      }),
    ),
    {
      name: 'transferJobs.delete',
      method: 'DELETE',
      path: /^\/v1\/(transferJobs\/[^/:]+)$/,
      respond: ({ match, query }) => {
        if (query.get('projectId') !== opts.projectId) return { status: 400, body: { error: { code: 400, message: 'projectId is required', status: 'INVALID_ARGUMENT' } } };
        return jobs.delete(match[1] ?? '') ? { body: {} } : { status: 404, body: { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } } };
      },
    },
  ];
  const standIn = new TransferStandIn(routes);
  return Object.assign(standIn, { jobs, opState });
}

/**
 * An `onRun` that copies as the service would for an S3 source and a GCS sink (MinIO and fake-gcs-server in the
 * tests): every object under the job's source path to the same name under its sink path, except the relative names
 * in `leaveOut` (a run that leaves objects out, for the verification after it to find).
 */
export function copyS3ToGcs(s3: S3Client, gcs: Storage, leaveOut: readonly string[] = []): (job: Record<string, unknown>) => Promise<void> {
  return async (job) => {
    const spec = job.transferSpec as { awsS3DataSource: { bucketName: string; path?: string }; gcsDataSink: { bucketName: string; path?: string } };
    const from = spec.awsS3DataSource;
    const to = spec.gcsDataSink;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: from.bucketName, Prefix: from.path ?? '', ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) {
        const rel = (o.Key ?? '').slice((from.path ?? '').length);
        if (leaveOut.includes(rel)) continue;
        const got = await s3.send(new GetObjectCommand({ Bucket: from.bucketName, Key: o.Key }));
        if (!got.Body) throw new Error(`${o.Key ?? ''}: no body`);
        await gcs
          .bucket(to.bucketName)
          .file(`${to.path ?? ''}${rel}`)
          .save(Buffer.from(await got.Body.transformToByteArray()));
      }
      token = page.NextContinuationToken;
    } while (token);
  };
}
