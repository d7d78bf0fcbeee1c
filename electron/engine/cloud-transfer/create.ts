import type { CloudTransfer, CreatePreview, TransferRoute as RouteOut } from '../../../shared/contract/cloud-transfer.channels';
import { InvalidInputError } from '../../../shared/errors';
import { registerSecret } from '../log';
import type { DataSyncSource } from './aws-datasync';
import { dataSyncFor, moverFor, stsFor, type AccountWithSecrets, type ConnectOptions } from './connect';
import { stsJobSpec, type StsSource } from './gcp-sts';
import type { TransferRoute } from './routing';
import type { CloudTransferService } from './service';

export interface CreateInput {
  route: TransferRoute;
  routeOut: RouteOut;
  source: string;
  destination: string;
  sourceAccount: AccountWithSecrets;
  connection: CloudTransfer['connection'];
  driving: AccountWithSecrets | undefined;
  migrationId?: string;
  roleArn?: string;
  /** DataSync from GCS: the HMAC key for its object-storage location (never journaled). */
  hmac?: { accessId: string; secret: string };
  /** Storage Mover: the multicloud connector's resources and the destination storage account. */
  mover?: { multiCloudConnectorId: string; awsS3BucketId: string; storageAccountResourceId?: string };
  destinationAccount?: AccountWithSecrets | undefined;
}

/** The destination storage account's resource id: given, or the destination account's in the connection's resource group. */
function storageAccountId(input: CreateInput): string | undefined {
  if (input.mover?.storageAccountResourceId) return input.mover.storageAccountResourceId;
  const d = input.destinationAccount?.settings;
  const { subscriptionId, resourceGroup } = input.connection;
  if (d?.kind !== 'azure' || !d.accountName || !subscriptionId || !resourceGroup) return undefined;
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Storage/storageAccounts/${d.accountName}`;
}

function moverProblem(input: CreateInput): string | undefined {
  const driving = input.driving?.settings;
  if (driving?.kind !== 'azure' || driving.auth !== 'entra') return `Azure Storage Mover is driven by an Azure account signed in with Microsoft Entra ID: choose one as the account that drives the service${driving ? ` (${driving.name} is not)` : ''}`;
  const { subscriptionId, resourceGroup, storageMover } = input.connection;
  if (!subscriptionId || !resourceGroup || !storageMover) return 'Say the Azure subscription, resource group and storage mover that run the transfer';
  if (!input.mover) return 'Say the Azure Arc multicloud connector and its resource of the S3 bucket (see the requirements)';
  if (!storageAccountId(input)) return 'Say the resource id of the destination storage account';
  return undefined;
}

/** What would be created, what of the plan the service cannot apply, and why it cannot be created from here. */
export function previewCreation(input: CreateInput): CreatePreview {
  const { route } = input;
  const unmapped = route.filters.filter((f) => f.unmapped).map((f) => `${f.filter}: ${f.unmapped ?? ''}`);
  const base = { route: input.routeOut, unmapped };
  const src = `${route.sourcePath.bucket}/${route.sourcePath.prefix}`;
  const dst = `${route.destinationPath.bucket}/${route.destinationPath.prefix}`;
  switch (route.engine) {
    case 'gcp-sts': {
      const blocked = stsSourceProblem(input) ?? stsFilterProblem(route);
      const drivingProject = input.driving?.settings.kind === 'gcs' ? input.driving.settings.projectId : undefined;
      const project = input.connection.projectId ?? drivingProject ?? '(the account’s project)';
      return { ...base, creates: [{ kind: 'sts-job', description: `A Storage Transfer Service job in project ${project} copying ${src} to gs://${dst}, run once now` }], ...(blocked ? { blocked } : {}) };
    }
    case 'aws-datasync': {
      const blocked = !input.roleArn ? 'DataSync needs the ARN of the role it assumes (see the requirements)' : dataSyncSourceProblem(input);
      const fromGcs = input.sourceAccount.settings.kind === 'gcs';
      return {
        ...base,
        creates: [
          { kind: 'datasync-location', description: fromGcs ? `A DataSync object-storage location for gs://${src}, read through storage.googleapis.com (Google’s S3-compatible endpoint) with the HMAC key ${input.hmac?.accessId ?? ''}` : `A DataSync source location for ${src}` },
          { kind: 'datasync-location', description: `A DataSync destination location for s3://${dst}` },
          { kind: 'datasync-task', description: `A DataSync task in Enhanced mode between them, started once now (region ${input.connection.region ?? 'of the account'})` },
        ],
        ...(blocked ? { blocked } : {}),
      };
    }
    case 'azure-storage-mover': {
      const blocked = moverProblem(input);
      const where = `storage mover ${input.connection.storageMover ?? '?'} (resource group ${input.connection.resourceGroup ?? '?'})`;
      return {
        ...base,
        creates: [
          { kind: 'mover-project', description: `A Storage Mover project in ${where}` },
          { kind: 'mover-endpoint', description: `A source endpoint for s3 bucket ${route.sourcePath.bucket} through the multicloud connector ${input.mover?.multiCloudConnectorId.split('/').pop() ?? '?'}` },
          { kind: 'mover-endpoint', description: `A target endpoint for container ${route.destinationPath.bucket} of ${storageAccountId(input) ?? 'the destination storage account'}` },
          { kind: 'mover-job-definition', description: `A cloud-to-cloud job definition copying ${src} to ${dst} (additive: nothing deleted), started once now` },
        ],
        ...(blocked ? { blocked } : {}),
      };
    }
    default:
      return { ...base, creates: [], blocked: `${input.routeOut.engineName} runs from this computer: start the migration as usual` };
  }
}

/** The plan's filters as the job's conditions, or why the service cannot take them. */
function stsFilterProblem(route: TransferRoute): string | undefined {
  try {
    stsJobSpec(route, '', { kind: 'gcs' }, '');
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function stsSourceProblem(input: CreateInput): string | undefined {
  const s = input.sourceAccount;
  if (s.settings.kind === 's3' && !(s.secrets?.accessKeyId && s.secrets.secretAccessKey)) return `The source account ${s.settings.name} has no access key to give to the transfer job`;
  if (s.settings.kind === 'azure' && !s.secrets?.sasToken) return `The source account ${s.settings.name} has no SAS token to give to the transfer job (Storage Transfer Service reads Azure through a SAS)`;
  if (s.settings.kind === 'azure' && !s.settings.accountName) return `The source account ${s.settings.name} names no storage account`;
  return undefined;
}

function dataSyncSourceProblem(input: CreateInput): string | undefined {
  const s = input.sourceAccount;
  if (s.settings.kind === 'azure' && !s.secrets?.sasToken) return `The source account ${s.settings.name} has no SAS token for DataSync's Azure Blob location`;
  if (s.settings.kind === 'gcs' && !input.hmac) return 'DataSync reads Google Cloud Storage with an HMAC key: enter the access ID and secret of one that may read the bucket (see the requirements)';
  return undefined;
}

function stsSource(input: CreateInput): StsSource {
  const { settings, secrets } = input.sourceAccount;
  if (settings.kind === 's3') return { kind: 'aws-s3', accessKeyId: secrets?.accessKeyId ?? '', secretAccessKey: secrets?.secretAccessKey ?? '' };
  if (settings.kind === 'azure') return { kind: 'azure-blob', storageAccount: settings.accountName ?? '', sasToken: secrets?.sasToken ?? '' };
  return { kind: 'gcs' };
}

/**
 * Creates the service's job from the plan and starts one run. The transfer is journaled first, every created
 * resource is added as it exists (so that `remove` can clean up after a failure half-way), and the job is journaled
 * before its run starts (so that a restart in between finds the run from the job).
 */
export async function createAndRun(service: CloudTransferService, input: CreateInput, options: ConnectOptions = {}): Promise<CloudTransfer> {
  const preview = previewCreation(input);
  if (preview.blocked) throw new InvalidInputError(preview.blocked);
  // An SDK error that quotes the request must not carry the key into a log.
  if (input.hmac) registerSecret(input.hmac.secret);
  const t = await service.begin({ engine: input.route.engine, source: input.source, destination: input.destination, connection: input.connection, migrationId: input.migrationId });
  const name = `skyferry-${t.id.slice(0, 8)}`;
  if (input.route.engine === 'gcp-sts') {
    const sts = stsFor(t, input.driving, options);
    try {
      const job = await sts.create(stsJobSpec(input.route, sts.projectId, stsSource(input), `Skyferry: ${input.source} to ${input.destination}`));
      await service.addCreated(t.id, { kind: 'sts-job', id: job, description: `Storage Transfer Service job ${job}` });
      await service.setJob(t.id, job);
      await service.setJob(t.id, job, await sts.run(job));
    } finally {
      await sts.close();
    }
  } else if (input.route.engine === 'azure-storage-mover') {
    const mover = moverFor(t, input.driving, options);
    try {
      const ids = input.mover ?? { multiCloudConnectorId: '', awsS3BucketId: '' };
      const job = await mover.create({ route: input.route, multiCloudConnectorId: ids.multiCloudConnectorId, awsS3BucketId: ids.awsS3BucketId, storageAccountResourceId: storageAccountId(input) ?? '', name }, (r) => service.addCreated(t.id, r));
      await service.setJob(t.id, job);
      await service.setJob(t.id, job, await mover.start(job));
    } finally {
      mover.close();
    }
  } else {
    const ds = dataSyncFor(t, input.driving, options);
    try {
      const { settings, secrets } = input.sourceAccount;
      const source: DataSyncSource =
        settings.kind === 'azure'
          ? { kind: 'azure-blob', containerUrl: `${settings.endpoint ?? `https://${settings.accountName ?? ''}.blob.core.windows.net`}/${input.route.sourcePath.bucket}`, sasToken: secrets?.sasToken ?? '' }
          : settings.kind === 'gcs'
            ? { kind: 'gcs', hmacAccessKey: input.hmac?.accessId ?? '', hmacSecret: input.hmac?.secret ?? '' }
            : { kind: 'aws-s3', roleArn: input.roleArn ?? '' };
      const task = await ds.create({ route: input.route, source, destinationRoleArn: input.roleArn ?? '', name }, (r) => service.addCreated(t.id, r));
      await service.setJob(t.id, task);
      await service.setJob(t.id, task, await ds.start(task));
    } finally {
      ds.close();
    }
  }
  return service.refresh(t.id);
}
