import { protos, StorageTransferServiceClient } from '@google-cloud/storage-transfer';
import type { GoogleAuth, OAuth2Client } from 'google-auth-library';
import type { CloudTransferProgress } from '../../../shared/contract/cloud-transfer.channels';
import { InvalidInputError } from '../../../shared/errors';
import { fromStsOperation } from './progress';
import type { TransferRoute } from './routing';

type ITransferJob = protos.google.storagetransfer.v1.ITransferJob;

export interface StsConnection {
  projectId: string;
  auth: GoogleAuth | OAuth2Client;
  /** Another endpoint than storagetransfer.googleapis.com (a private endpoint, or a test's stand-in). */
  endpoint?: string;
}

/** The source as the job names it, with the credential the service needs to read it (never logged). */
export type StsSource =
  | { kind: 'aws-s3'; accessKeyId: string; secretAccessKey: string }
  | { kind: 'azure-blob'; storageAccount: string; sasToken: string }
  | { kind: 'gcs' };

/**
 * The client over REST (HTTP/1.1 JSON), not gRPC: the same requests go through proxies a desktop sits behind, and
 * a test points it at a plain HTTP stand-in.
 */
export function createStsClient(c: StsConnection): StorageTransferServiceClient {
  const endpoint = c.endpoint ? new URL(c.endpoint) : undefined;
  return new StorageTransferServiceClient({
    fallback: true,
    auth: c.auth as GoogleAuth,
    ...(endpoint
      ? { apiEndpoint: endpoint.hostname, port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)), protocol: endpoint.protocol.replace(':', '') }
      : {}),
  });
}

/** Sorted, without duplicates and without a prefix that a shorter one of the list already covers. */
function widest(prefixes: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of [...new Set(prefixes)].sort()) if (!out.some((q) => p.startsWith(q))) out.push(p);
  return out;
}

/**
 * The service's prefix conditions for the plan's include and exclude prefixes (object names from the bucket's root),
 * selecting the same objects and written as the service requires: no prefix of the list inside another, and, when
 * there are include prefixes, every exclude prefix inside one of them (an exclude outside every include excludes
 * nothing more). An include inside an exclude selects nothing and goes; when none is left, the plan selects nothing.
 */
export function stsPrefixConditions(include: readonly string[], exclude: readonly string[]): { includePrefixes?: string[]; excludePrefixes?: string[] } {
  const exc = widest(exclude);
  const inc = widest(include).filter((i) => !exc.some((e) => i.startsWith(e)));
  if (include.length > 0 && inc.length === 0) throw new InvalidInputError('The plan’s filters exclude everything they include: there is nothing for the service to copy');
  const kept = inc.length === 0 ? exc : exc.filter((e) => inc.some((i) => e.startsWith(i)));
  return { ...(inc.length > 0 ? { includePrefixes: inc } : {}), ...(kept.length > 0 ? { excludePrefixes: kept } : {}) };
}

function objectConditions(route: TransferRoute): protos.google.storagetransfer.v1.IObjectConditions | undefined {
  const cond: protos.google.storagetransfer.v1.IObjectConditions = {};
  const prefixes = { includePrefixes: [] as string[], excludePrefixes: [] as string[] };
  for (const f of route.filters) {
    const m = f.mapped && /^objectConditions\.(\w+): (.*)$/.exec(f.mapped);
    if (!m) continue;
    const [, field, value] = m;
    if (field === 'includePrefixes' || field === 'excludePrefixes') {
      prefixes[field].push(...(JSON.parse(value ?? '[]') as string[]));
    } else if (field === 'minTimeElapsedSinceLastModification' || field === 'maxTimeElapsedSinceLastModification') {
      cond[field] = { seconds: Number(/(\d+)s/.exec(value ?? '')?.[1] ?? 0) };
    }
  }
  Object.assign(cond, stsPrefixConditions(prefixes.includePrefixes, prefixes.excludePrefixes));
  return Object.keys(cond).length > 0 ? cond : undefined;
}

/** The transfer job a route becomes: on demand (no schedule), overwriting only what differs. */
export function stsJobSpec(route: TransferRoute, projectId: string, source: StsSource, description: string): ITransferJob {
  const path = route.sourcePath.prefix || undefined;
  const transferSpec: protos.google.storagetransfer.v1.ITransferSpec = {
    gcsDataSink: { bucketName: route.destinationPath.bucket, path: route.destinationPath.prefix || undefined },
    objectConditions: objectConditions(route),
    transferOptions: { overwriteWhen: 'DIFFERENT' },
  };
  if (source.kind === 'aws-s3') transferSpec.awsS3DataSource = { bucketName: route.sourcePath.bucket, path, awsAccessKey: { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey } };
  else if (source.kind === 'azure-blob') transferSpec.azureBlobStorageDataSource = { storageAccount: source.storageAccount, container: route.sourcePath.bucket, path, azureCredentials: { sasToken: source.sasToken } };
  else transferSpec.gcsDataSource = { bucketName: route.sourcePath.bucket, path };
  return { projectId, description, status: 'ENABLED', transferSpec };
}

/** One Storage Transfer Service job, created by Skyferry or reattached by its name. */
export class StsTransfer {
  constructor(
    private readonly client: StorageTransferServiceClient,
    readonly projectId: string,
  ) {}

  /** The project's service agent, the identity to grant on the buckets. */
  async serviceAgent(): Promise<string> {
    const [sa] = await this.client.getGoogleServiceAccount({ projectId: this.projectId });
    return sa.accountEmail ?? '';
  }

  async create(job: ITransferJob): Promise<string> {
    const [created] = await this.client.createTransferJob({ transferJob: job });
    if (!created.name) throw new Error('Storage Transfer Service created a job without a name');
    return created.name;
  }

  /** Starts a run; returns the operation's name (`transferOperations/...`), which is journaled. */
  async run(jobName: string): Promise<string> {
    const [operation] = await this.client.runTransferJob({ jobName, projectId: this.projectId });
    if (!operation.name) throw new Error('Storage Transfer Service started a run without an operation name');
    return operation.name;
  }

  /** The run's progress, from its long-running operation (`error` set when the operation failed as a whole). */
  async progress(operationName: string): Promise<CloudTransferProgress> {
    const op = await this.client.checkRunTransferJobProgress(operationName);
    const raw = op.latestResponse;
    // The SDK leaves `metadata` empty on an operation that ended in error, so it is decoded here from the raw one.
    const p = fromStsOperation(raw.metadata?.value ? this.decodeMetadata(raw.metadata) : op.metadata);
    if (raw.error?.message && p.state === 'failed') p.errors.unshift(raw.error.message);
    return p;
  }

  /** Every operation of the job, across pages (newest first as the service lists them). */
  async operations(jobName: string): Promise<{ name: string; progress: CloudTransferProgress }[]> {
    const out: { name: string; progress: CloudTransferProgress }[] = [];
    const filter = JSON.stringify({ projectId: this.projectId, jobNames: [jobName] });
    const request = protos.google.longrunning.ListOperationsRequest.fromObject({ name: 'transferOperations', filter });
    for await (const item of this.client.listOperationsAsync(request, { autoPaginate: false })) {
      // The SDK declares the items as whole pages; each is one Operation (its own docs iterate them so).
      const op = item as unknown as protos.google.longrunning.IOperation;
      const meta = op.metadata?.value ? op.metadata : undefined;
      const decoded = meta ? this.decodeMetadata(meta) : op.metadata;
      out.push({ name: op.name ?? '', progress: fromStsOperation(decoded) });
    }
    return out;
  }

  private decodeMetadata(any: protos.google.protobuf.IAny): unknown {
    // Over REST the operations client hands back the metadata as an Any whose value is the encoded message.
    const decode = this.client.descriptors.longrunning.runTransferJob?.metadataDecoder;
    return decode && any.value ? decode(any.value as Buffer) : undefined;
  }

  async pause(operationName: string): Promise<void> {
    await this.client.pauseTransferOperation({ name: operationName });
  }

  async resume(operationName: string): Promise<void> {
    await this.client.resumeTransferOperation({ name: operationName });
  }

  async cancel(operationName: string): Promise<void> {
    await this.client.cancelOperation(protos.google.longrunning.CancelOperationRequest.fromObject({ name: operationName }));
  }

  /** Deletes the job (its past operations stay visible in the console for 30 days). */
  async remove(jobName: string): Promise<void> {
    await this.client.deleteTransferJob({ jobName, projectId: this.projectId });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
