import { StorageMoverClient } from '@azure/arm-storagemover';
import type { TokenCredential } from '@azure/identity';
import type { CloudTransferProgress, CreatedResource } from '../../../shared/contract/cloud-transfer.channels';
import { fromStorageMoverJobRun } from './progress';
import type { TransferRoute } from './routing';

/** The storage mover Skyferry works in (created by the user beforehand: `az storage-mover create`). */
export interface MoverConnection {
  subscriptionId: string;
  resourceGroup: string;
  storageMover: string;
  credential: TokenCredential;
  /** Another Resource Manager endpoint than management.azure.com (a sovereign cloud, or a test's stand-in). */
  endpoint?: string;
  /** Extra CA certificates to trust (a test stand-in's self-signed one). */
  ca?: string;
  /** How often a long-running delete is polled (the SDK's default when absent). */
  pollIntervalMs?: number;
}

export interface MoverPlan {
  route: TransferRoute;
  /** `/subscriptions/.../providers/Microsoft.HybridConnectivity/publicCloudConnectors/<name>` of the Arc multicloud connector. */
  multiCloudConnectorId: string;
  /** The connector's resource id of the S3 bucket (`.../providers/Microsoft.AwsConnector/s3Buckets/<bucket>`). */
  awsS3BucketId: string;
  /** `/subscriptions/.../providers/Microsoft.Storage/storageAccounts/<account>` of the destination. */
  storageAccountResourceId: string;
  /** A name for the project, the endpoints and the job definition (`skyferry-<migration>`). */
  name: string;
}

const lastSegment = (id: string): string => id.split('/').filter(Boolean).pop() ?? '';

export class StorageMoverTransfer {
  private readonly client: StorageMoverClient;

  constructor(private readonly c: MoverConnection) {
    this.client = new StorageMoverClient(c.credential, c.subscriptionId, {
      ...(c.endpoint ? { endpoint: c.endpoint } : {}),
      ...(c.ca ? { tlsOptions: { ca: c.ca } } : {}),
      retryOptions: { maxRetries: 2 },
    });
  }

  /**
   * Creates the project, the S3 source endpoint, the Blob target endpoint and a cloud-to-cloud job definition,
   * reporting each as soon as it exists; returns the job definition's name.
   */
  async create(plan: MoverPlan, onCreated: (r: CreatedResource) => Promise<void> | void): Promise<string> {
    const { resourceGroup: rg, storageMover: mover } = this.c;
    const project = await this.client.projects.createOrUpdate(rg, mover, plan.name, { properties: { description: 'Created by Skyferry for one migration' } });
    await onCreated({ kind: 'mover-project', id: project.id ?? plan.name, description: `Storage Mover project ${plan.name}` });
    const source = await this.client.endpoints.createOrUpdate(rg, mover, `${plan.name}-source`, {
      properties: { endpointType: 'AzureMultiCloudConnector', multiCloudConnectorId: plan.multiCloudConnectorId, awsS3BucketId: plan.awsS3BucketId },
    });
    await onCreated({ kind: 'mover-endpoint', id: source.id ?? `${plan.name}-source`, description: `Storage Mover source endpoint for s3 bucket ${plan.route.sourcePath.bucket}` });
    const target = await this.client.endpoints.createOrUpdate(rg, mover, `${plan.name}-target`, {
      properties: { endpointType: 'AzureStorageBlobContainer', storageAccountResourceId: plan.storageAccountResourceId, blobContainerName: plan.route.destinationPath.bucket },
    });
    await onCreated({ kind: 'mover-endpoint', id: target.id ?? `${plan.name}-target`, description: `Storage Mover target endpoint for container ${plan.route.destinationPath.bucket}` });
    const job = await this.client.jobDefinitions.createOrUpdate(rg, mover, plan.name, plan.name, {
      properties: {
        jobType: 'CloudToCloud',
        // Additive: copies what is new or changed and deletes nothing at the target.
        copyMode: 'Additive',
        sourceName: lastSegment(source.id ?? `${plan.name}-source`),
        sourceSubpath: plan.route.sourcePath.prefix || undefined,
        targetName: lastSegment(target.id ?? `${plan.name}-target`),
        targetSubpath: plan.route.destinationPath.prefix || undefined,
      },
    });
    await onCreated({ kind: 'mover-job-definition', id: job.id ?? plan.name, description: `Storage Mover job definition ${plan.name}` });
    return plan.name;
  }

  /** Starts a run; returns the job run's resource id, which is journaled. */
  async start(name: string): Promise<string> {
    const r = await this.client.jobDefinitions.startJob(this.c.resourceGroup, this.c.storageMover, name, name);
    if (!r.jobRunResourceId) throw new Error('Storage Mover started a job run without an id');
    return r.jobRunResourceId;
  }

  async progress(name: string, jobRunResourceId: string): Promise<CloudTransferProgress> {
    const run = await this.client.jobRuns.get(this.c.resourceGroup, this.c.storageMover, name, name, lastSegment(jobRunResourceId));
    return fromStorageMoverJobRun(run);
  }

  /** Every run of the job definition, across pages. */
  async runs(name: string): Promise<string[]> {
    const out: string[] = [];
    for await (const r of this.client.jobRuns.list(this.c.resourceGroup, this.c.storageMover, name, name)) out.push(r.id ?? '');
    return out;
  }

  /** Storage Mover has no pause: a run can only be stopped. */
  async cancel(name: string): Promise<void> {
    await this.client.jobDefinitions.stopJob(this.c.resourceGroup, this.c.storageMover, name, name);
  }

  /** Deletes the job definition, the endpoints and the project (each a long-running delete, awaited to its end). */
  async remove(created: CreatedResource[]): Promise<void> {
    const { resourceGroup: rg, storageMover: mover } = this.c;
    const poll = this.c.pollIntervalMs === undefined ? {} : { updateIntervalInMs: this.c.pollIntervalMs };
    const project = created.find((r) => r.kind === 'mover-project');
    const projectName = project ? lastSegment(project.id) : undefined;
    for (const r of created.filter((x) => x.kind === 'mover-job-definition')) {
      if (projectName) await this.client.jobDefinitions.delete(rg, mover, projectName, lastSegment(r.id), poll);
    }
    for (const r of created.filter((x) => x.kind === 'mover-endpoint')) await this.client.endpoints.delete(rg, mover, lastSegment(r.id), poll);
    if (projectName) await this.client.projects.delete(rg, mover, projectName, poll);
  }

  /**
   * Nothing to release: Azure's core client holds no socket of its own (its HTTP client is shared by the process
   * and keeps idle connections only briefly); the method is here so that every service handle closes alike.
   */
  close(): void {}
}
