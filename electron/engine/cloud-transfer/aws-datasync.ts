import {
  CancelTaskExecutionCommand,
  CreateLocationAzureBlobCommand,
  CreateLocationObjectStorageCommand,
  CreateLocationS3Command,
  CreateTaskCommand,
  DataSyncClient,
  DeleteLocationCommand,
  DeleteTaskCommand,
  DescribeTaskExecutionCommand,
  paginateListTaskExecutions,
  StartTaskExecutionCommand,
  type FilterRule,
} from '@aws-sdk/client-datasync';
import type { CloudTransferProgress, CreatedResource } from '../../../shared/contract/cloud-transfer.channels';
import { fromDataSyncExecution } from './progress';
import type { TransferRoute } from './routing';

export interface DataSyncConnection {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Another endpoint than datasync.<region>.amazonaws.com (a test's stand-in). */
  endpoint?: string;
}

export function createDataSyncClient(c: DataSyncConnection): DataSyncClient {
  return new DataSyncClient({ region: c.region, credentials: c.credentials, ...(c.endpoint ? { endpoint: c.endpoint } : {}), maxAttempts: 3 });
}

/** Where DataSync reads from, with the secret it needs (sent to DataSync only, never logged). */
export type DataSyncSource =
  | { kind: 'aws-s3'; roleArn: string }
  | { kind: 'azure-blob'; containerUrl: string; sasToken: string }
  | { kind: 'gcs'; hmacAccessKey: string; hmacSecret: string };

export interface DataSyncPlan {
  route: TransferRoute;
  source: DataSyncSource;
  /** The role DataSync assumes to write the destination bucket. */
  destinationRoleArn: string;
  /** The task's name in the console (`skyferry-<migration>`). */
  name: string;
}

const subdir = (prefix: string): string => `/${prefix}`;

function filterRules(route: TransferRoute, field: 'Includes' | 'Excludes'): FilterRule[] | undefined {
  const values = route.filters.flatMap((f) => {
    const m = f.mapped && new RegExp(`^${field}: SIMPLE_PATTERN "(.*)"$`).exec(f.mapped);
    return m ? [m[1] ?? ''] : [];
  });
  return values.length > 0 ? [{ FilterType: 'SIMPLE_PATTERN', Value: values.join('|') }] : undefined;
}

/**
 * One DataSync transfer: a source location, a destination location and an Enhanced-mode task, created in that
 * order; each created resource is reported to `onCreated` as soon as it exists, so that a failure half-way still
 * leaves a list of what to remove.
 */
export class DataSyncTransfer {
  constructor(private readonly client: DataSyncClient) {}

  async create(plan: DataSyncPlan, onCreated: (r: CreatedResource) => Promise<void> | void): Promise<string> {
    const { route, source } = plan;
    let sourceArn: string | undefined;
    if (source.kind === 'aws-s3') {
      const r = await this.client.send(new CreateLocationS3Command({ S3BucketArn: `arn:aws:s3:::${route.sourcePath.bucket}`, Subdirectory: subdir(route.sourcePath.prefix), S3Config: { BucketAccessRoleArn: source.roleArn } }));
      sourceArn = r.LocationArn;
    } else if (source.kind === 'azure-blob') {
      const r = await this.client.send(new CreateLocationAzureBlobCommand({ ContainerUrl: source.containerUrl, AuthenticationType: 'SAS', SasConfiguration: { Token: source.sasToken }, Subdirectory: subdir(route.sourcePath.prefix) }));
      sourceArn = r.LocationArn;
    } else {
      const r = await this.client.send(
        new CreateLocationObjectStorageCommand({ ServerHostname: 'storage.googleapis.com', ServerProtocol: 'HTTPS', ServerPort: 443, BucketName: route.sourcePath.bucket, Subdirectory: subdir(route.sourcePath.prefix), AccessKey: source.hmacAccessKey, SecretKey: source.hmacSecret }),
      );
      sourceArn = r.LocationArn;
    }
    if (!sourceArn) throw new Error('DataSync created the source location without an ARN');
    await onCreated({ kind: 'datasync-location', id: sourceArn, description: `DataSync source location for ${route.sourcePath.bucket}/${route.sourcePath.prefix}` });
    const dest = await this.client.send(new CreateLocationS3Command({ S3BucketArn: `arn:aws:s3:::${route.destinationPath.bucket}`, Subdirectory: subdir(route.destinationPath.prefix), S3Config: { BucketAccessRoleArn: plan.destinationRoleArn } }));
    if (!dest.LocationArn) throw new Error('DataSync created the destination location without an ARN');
    await onCreated({ kind: 'datasync-location', id: dest.LocationArn, description: `DataSync destination location s3://${route.destinationPath.bucket}/${route.destinationPath.prefix}` });
    const task = await this.client.send(
      new CreateTaskCommand({
        Name: plan.name,
        SourceLocationArn: sourceArn,
        DestinationLocationArn: dest.LocationArn,
        TaskMode: 'ENHANCED',
        Includes: filterRules(route, 'Includes'),
        Excludes: filterRules(route, 'Excludes'),
        // Copy what differs, keep what only the destination has: deletions stay with Skyferry's own run.
        // Google's S3-compatible endpoint has no object tagging, and an Enhanced task that preserves tags from a
        // location without them fails at once: tags are left out for a GCS source.
        Options: { TransferMode: 'CHANGED', OverwriteMode: 'ALWAYS', PreserveDeletedFiles: 'PRESERVE', VerifyMode: 'ONLY_FILES_TRANSFERRED', ...(source.kind === 'gcs' ? { ObjectTags: 'NONE' } : {}) },
      }),
    );
    if (!task.TaskArn) throw new Error('DataSync created the task without an ARN');
    await onCreated({ kind: 'datasync-task', id: task.TaskArn, description: `DataSync task ${plan.name}` });
    return task.TaskArn;
  }

  async start(taskArn: string): Promise<string> {
    const r = await this.client.send(new StartTaskExecutionCommand({ TaskArn: taskArn }));
    if (!r.TaskExecutionArn) throw new Error('DataSync started an execution without an ARN');
    return r.TaskExecutionArn;
  }

  async progress(executionArn: string, cancelRequested = false): Promise<CloudTransferProgress> {
    return fromDataSyncExecution(await this.client.send(new DescribeTaskExecutionCommand({ TaskExecutionArn: executionArn })), cancelRequested);
  }

  /** Every execution of the task, across pages. */
  async executions(taskArn: string): Promise<{ arn: string; status: string }[]> {
    const out: { arn: string; status: string }[] = [];
    for await (const page of paginateListTaskExecutions({ client: this.client, pageSize: 2 }, { TaskArn: taskArn })) {
      for (const e of page.TaskExecutions ?? []) out.push({ arn: e.TaskExecutionArn ?? '', status: e.Status ?? '' });
    }
    return out;
  }

  /** DataSync has no pause: an execution can only be cancelled (a new one copies what is still missing). */
  async cancel(executionArn: string): Promise<void> {
    await this.client.send(new CancelTaskExecutionCommand({ TaskExecutionArn: executionArn }));
  }

  /** Deletes what was created, task first (a location in use by a task cannot be deleted). */
  async remove(created: CreatedResource[]): Promise<void> {
    for (const r of created.filter((c) => c.kind === 'datasync-task')) await this.client.send(new DeleteTaskCommand({ TaskArn: r.id }));
    for (const r of created.filter((c) => c.kind === 'datasync-location')) await this.client.send(new DeleteLocationCommand({ LocationArn: r.id }));
  }

  close(): void {
    this.client.destroy();
  }
}
