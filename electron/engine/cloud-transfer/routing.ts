import type { AccountSettings } from '../../../shared/accounts';
import type { MigrationFilters, MigrationMode } from '../../../shared/contract/migrations.channels';
import type { Location } from '../../../shared/location';

/**
 * Which managed transfer service can carry a migration plan from its source to one destination, and why; what the
 * plan's prefixes and filters become in that service's own terms, and what cannot be carried over; and what the
 * user must grant first, in words and as the exact commands. Pure: no SDK, no network.
 */
export type TransferEngine = 'gcp-sts' | 'aws-datasync' | 'azure-storage-mover' | 'azure-cloud-pull' | 'skyferry';

export interface RouteEnd {
  location: Location;
  /** The account's saved settings (never its secrets). */
  settings: AccountSettings;
}

export interface RouteInput {
  source: RouteEnd;
  destination: RouteEnd;
  mode: MigrationMode;
  deletionsEnabled: boolean;
  filters: MigrationFilters;
  /** Where an account's data lives as the services see it (default `reachOf`; test stand-ins: `reachAsImitated`). */
  reach?: (settings: AccountSettings) => Reach;
}

/** A filter of the plan and what the service does with it. */
export interface FilterMapping {
  /** The plan's filter, as the user wrote it (`include: logs/**`, `minSize: 1024`). */
  filter: string;
  /** What it becomes in the service (`includePrefixes: ["logs/"]`); absent when it cannot be mapped. */
  mapped?: string;
  /** Why it cannot be mapped (said before anything is created). */
  unmapped?: string;
}

export interface Requirement {
  /** In words: who needs which role or key on what. */
  text: string;
  /** The exact command, with placeholders in capitals where Skyferry cannot know the value. */
  command?: string;
}

export interface TransferRoute {
  engine: TransferEngine;
  /** Why this engine, or why no service can take it (always a sentence). */
  reason: string;
  /** The engines considered and refused, each with its reason (for "why not the service?"). */
  refused: { engine: TransferEngine; reason: string }[];
  /** Source and destination as the service names them (bucket and prefix). */
  sourcePath: { bucket: string; prefix: string };
  destinationPath: { bucket: string; prefix: string };
  filters: FilterMapping[];
  requirements: Requirement[];
}

const AWS_ENDPOINT = /^https:\/\/([a-z0-9.-]+\.)?amazonaws\.com(\.cn)?\/?$/i;
const GOOGLE_ENDPOINT = /^https:\/\/storage\.googleapis\.com\/?$/i;
const AZURE_BLOB_ENDPOINT = /^https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/?$/i;

/** Where an account's data lives as the clouds see it: the public service, or a place their services cannot reach. */
export type Reach = 'aws-s3' | 'gcs' | 'azure-blob' | 's3-compatible' | 'emulator-or-private' | 'local';

export function reachOf(settings: AccountSettings): Reach {
  switch (settings.kind) {
    case 's3':
      return !settings.endpoint || AWS_ENDPOINT.test(settings.endpoint) ? 'aws-s3' : 's3-compatible';
    case 'gcs':
      return !settings.endpoint || GOOGLE_ENDPOINT.test(settings.endpoint) ? 'gcs' : 'emulator-or-private';
    case 'azure':
      return !settings.endpoint || AZURE_BLOB_ENDPOINT.test(settings.endpoint) ? 'azure-blob' : 'emulator-or-private';
    case 'local':
      return 'local';
  }
}

/**
 * For tests against the services' stand-ins only: an emulator is taken for the cloud it imitates (MinIO for Amazon
 * S3, fake-gcs-server for Google Cloud Storage, Azurite for Azure Blob), so that a plan between emulators is routed
 * as one between the clouds would be.
 */
export function reachAsImitated(settings: AccountSettings): Reach {
  return settings.kind === 's3' ? 'aws-s3' : settings.kind === 'gcs' ? 'gcs' : settings.kind === 'azure' ? 'azure-blob' : 'local';
}

const REACH_WORDS: Record<Reach, string> = {
  'aws-s3': 'Amazon S3',
  gcs: 'Google Cloud Storage',
  'azure-blob': 'Azure Blob Storage',
  's3-compatible': 'an S3-compatible store outside AWS',
  'emulator-or-private': 'an emulator or private endpoint',
  local: 'a folder on this computer',
};

const ENGINE_WORDS: Record<TransferEngine, string> = {
  'gcp-sts': 'Google Storage Transfer Service',
  'aws-datasync': 'AWS DataSync (Enhanced mode)',
  'azure-storage-mover': 'Azure Storage Mover',
  'azure-cloud-pull': "Azure's server-side copy from URL (cloud-side pull, concurrency raised)",
  skyferry: "Skyferry's own engine",
};

/**
 * Which services can pause a run, for the Transfers panel (said without connecting): the engines whose driver
 * (drivers.ts) has `pause` and `resume`. The engines that run from this computer are not cloud transfers.
 */
export const CAN_PAUSE: Record<TransferEngine, boolean> = {
  'gcp-sts': true,
  'aws-datasync': false,
  'azure-storage-mover': false,
  'azure-cloud-pull': false,
  skyferry: false,
};

export function engineName(engine: TransferEngine): string {
  return ENGINE_WORDS[engine];
}

const asPrefix = (key: string): string => (key === '' || key.endsWith('/') ? key : `${key}/`);

/**
 * The key prefix (relative to the plan's source folder) of a plan glob that selects exactly the keys under it, as
 * the plan reads globs (migrations/glob.ts): `**` (everything), or `P**` where P has a `/` and no wildcard
 * (`logs/**`, `logs/2024-**`; a leading `/` anchors, as in the plan). Null for any other glob: one without `/`
 * matches a base name at any depth, a literal matches that one key only, and `*` stays inside one folder.
 */
export function globAsKeyPrefix(glob: string): string | null {
  const m = /^\/?([^*?[\]{}\\]*)\*\*$/.exec(glob);
  if (!m) return null;
  const prefix = m[1] ?? '';
  return prefix === '' || glob.includes('/') ? prefix : null;
}

const NOT_A_PREFIX = 'this pattern does not select exactly the keys under one folder (write it as folder/** for that)';

function mapFiltersSts(f: MigrationFilters, srcPrefix: string): FilterMapping[] {
  const out: FilterMapping[] = [];
  for (const [kind, field] of [['include', 'includePrefixes'], ['exclude', 'excludePrefixes']] as const) {
    for (const g of f[kind] ?? []) {
      const p = globAsKeyPrefix(g);
      // The service's prefixes are object names from the bucket's root, not from the job's path.
      const full = p === null ? null : `${srcPrefix}${p}`;
      if (full === null) out.push({ filter: `${kind}: ${g}`, unmapped: `Storage Transfer Service filters by key prefix only; ${NOT_A_PREFIX}` });
      // The service refuses an empty prefix: an include of everything needs no condition at all.
      else if (full === '' && kind === 'include') out.push({ filter: `${kind}: ${g}`, mapped: 'every object: no condition needed' });
      else if (full === '') out.push({ filter: `${kind}: ${g}`, unmapped: 'Storage Transfer Service cannot exclude every object' });
      else out.push({ filter: `${kind}: ${g}`, mapped: `objectConditions.${field}: ${JSON.stringify([full])}` });
    }
  }
  if (f.minAgeDays !== undefined) out.push({ filter: `minAgeDays: ${f.minAgeDays}`, mapped: `objectConditions.minTimeElapsedSinceLastModification: "${Math.round(f.minAgeDays * 86_400)}s"` });
  if (f.maxAgeDays !== undefined) out.push({ filter: `maxAgeDays: ${f.maxAgeDays}`, mapped: `objectConditions.maxTimeElapsedSinceLastModification: "${Math.round(f.maxAgeDays * 86_400)}s"` });
  for (const k of ['minSize', 'maxSize'] as const) {
    if (f[k] !== undefined) out.push({ filter: `${k}: ${f[k]}`, unmapped: 'Storage Transfer Service has no object size condition' });
  }
  return out;
}

function mapFiltersDataSync(f: MigrationFilters): FilterMapping[] {
  const out: FilterMapping[] = [];
  for (const [kind, field] of [['include', 'Includes'], ['exclude', 'Excludes']] as const) {
    for (const g of f[kind] ?? []) {
      const p = globAsKeyPrefix(g);
      // DataSync's SIMPLE_PATTERN `*` crosses folders, so `/P*` is the plan's `P**` (paths from the location's subdirectory).
      if (p !== null) out.push({ filter: `${kind}: ${g}`, mapped: `${field}: SIMPLE_PATTERN "/${p}*"` });
      else out.push({ filter: `${kind}: ${g}`, unmapped: `DataSync filters are path patterns whose * crosses folders; ${NOT_A_PREFIX}` });
    }
  }
  for (const k of ['minSize', 'maxSize', 'minAgeDays', 'maxAgeDays'] as const) {
    if (f[k] !== undefined) out.push({ filter: `${k}: ${f[k]}`, unmapped: 'DataSync has no size or age filter' });
  }
  return out;
}

function mapFiltersNone(f: MigrationFilters, service: string): FilterMapping[] {
  const out: FilterMapping[] = [];
  for (const g of f.include ?? []) out.push({ filter: `include: ${g}`, unmapped: `${service} copies the whole prefix; it has no include filter` });
  for (const g of f.exclude ?? []) out.push({ filter: `exclude: ${g}`, unmapped: `${service} copies the whole prefix; it has no exclude filter` });
  for (const k of ['minSize', 'maxSize', 'minAgeDays', 'maxAgeDays'] as const) {
    if (f[k] !== undefined) out.push({ filter: `${k}: ${f[k]}`, unmapped: `${service} has no size or age filter` });
  }
  return out;
}

function mapFiltersOwn(f: MigrationFilters): FilterMapping[] {
  const out: FilterMapping[] = [];
  for (const g of f.include ?? []) out.push({ filter: `include: ${g}`, mapped: 'applied by Skyferry as in the plan' });
  for (const g of f.exclude ?? []) out.push({ filter: `exclude: ${g}`, mapped: 'applied by Skyferry as in the plan' });
  for (const k of ['minSize', 'maxSize', 'minAgeDays', 'maxAgeDays'] as const) {
    if (f[k] !== undefined) out.push({ filter: `${k}: ${f[k]}`, mapped: 'applied by Skyferry as in the plan' });
  }
  return out;
}

function deletionMapping(input: RouteInput, service: string): FilterMapping[] {
  if (input.mode !== 'mirror' || !input.deletionsEnabled) return [];
  return [{ filter: 'mirror deletions', unmapped: `${service} would delete without Skyferry's cap or quarantine: the service copies only, and Skyferry's own run deletes the extras after verification` }];
}

function stsRequirements(input: RouteInput): Requirement[] {
  const sink = input.destination.location.bucket;
  const project = input.destination.settings.kind === 'gcs' && input.destination.settings.projectId ? input.destination.settings.projectId : 'PROJECT_ID';
  const agent = `project-PROJECT_NUMBER@storage-transfer-service.iam.gserviceaccount.com`;
  const reqs: Requirement[] = [
    { text: `Your Google identity needs the Storage Transfer User role on project ${project}`, command: `gcloud projects add-iam-policy-binding ${project} --member=user:YOU@EXAMPLE.COM --role=roles/storagetransfer.user` },
    { text: `Find the project's Storage Transfer service agent (its email is ${agent})`, command: `gcloud transfer authorize --add-missing --project=${project}` },
    { text: `The service agent needs to write objects into gs://${sink}`, command: `gcloud storage buckets add-iam-policy-binding gs://${sink} --member=serviceAccount:${agent} --role=roles/storage.objectAdmin` },
    { text: `The service agent needs to read the bucket's metadata of gs://${sink}`, command: `gcloud storage buckets add-iam-policy-binding gs://${sink} --member=serviceAccount:${agent} --role=roles/storage.legacyBucketWriter` },
  ];
  const src = input.source.location.bucket;
  switch ((input.reach ?? reachOf)(input.source.settings)) {
    case 'aws-s3':
      reqs.push({ text: `An AWS access key that may list and read s3://${src} (s3:ListBucket, s3:GetObject), given to the transfer job` });
      break;
    case 'azure-blob':
      reqs.push({ text: `A SAS token for the container ${src} with read and list permission, given to the transfer job`, command: `az storage container generate-sas --account-name ACCOUNT --name ${src} --permissions rl --expiry YYYY-MM-DDTHH:MMZ --https-only --auth-mode login --as-user` });
      break;
    case 'gcs':
      reqs.push({ text: `The service agent needs to read gs://${src}`, command: `gcloud storage buckets add-iam-policy-binding gs://${src} --member=serviceAccount:${agent} --role=roles/storage.objectViewer` });
      break;
    default:
      break;
  }
  return reqs;
}

function dataSyncRequirements(input: RouteInput): Requirement[] {
  const dst = input.destination.location.bucket;
  const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"datasync.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
  const policy = (bucket: string): string =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: `arn:aws:s3:::${bucket}` },
        { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:GetObjectTagging', 's3:ListMultipartUploadParts', 's3:PutObject', 's3:PutObjectTagging'], Resource: `arn:aws:s3:::${bucket}/*` },
      ],
    });
  const reqs: Requirement[] = [
    { text: 'Your AWS identity needs DataSync permissions (the AWSDataSyncFullAccess managed policy) and iam:PassRole for the role below', command: 'aws iam attach-user-policy --user-name YOUR_USER --policy-arn arn:aws:iam::aws:policy/AWSDataSyncFullAccess' },
    { text: 'A role DataSync assumes to reach the buckets', command: `aws iam create-role --role-name SkyferryDataSync --assume-role-policy-document '${trust}'` },
    { text: `The role may read and write s3://${dst}`, command: `aws iam put-role-policy --role-name SkyferryDataSync --policy-name skyferry-${dst} --policy-document '${policy(dst)}'` },
  ];
  const src = input.source.location.bucket;
  switch ((input.reach ?? reachOf)(input.source.settings)) {
    case 'aws-s3':
      reqs.push({ text: `The role may read s3://${src}`, command: `aws iam put-role-policy --role-name SkyferryDataSync --policy-name skyferry-${src} --policy-document '${policy(src)}'` });
      break;
    case 'azure-blob':
      reqs.push({ text: `A SAS token for the container ${src} with read and list permission, for the DataSync Azure Blob location`, command: `az storage container generate-sas --account-name ACCOUNT --name ${src} --permissions rl --expiry YYYY-MM-DDTHH:MMZ --https-only --auth-mode login --as-user` });
      break;
    case 'gcs':
      reqs.push({ text: `An HMAC key of a service account that may read gs://${src}, for DataSync's object-storage location at storage.googleapis.com`, command: 'gcloud storage hmac create SERVICE_ACCOUNT_EMAIL' });
      break;
    default:
      break;
  }
  return reqs;
}

function storageMoverRequirements(input: RouteInput): Requirement[] {
  const dst = input.destination.location.bucket;
  return [
    { text: 'A storage mover resource in a resource group of your subscription', command: 'az storage-mover create --resource-group RESOURCE_GROUP --name skyferry-mover --location REGION' },
    { text: 'Your AWS account connected to Azure through an Azure Arc multicloud connector with the storage data management solution (done in the Azure portal)' },
    { text: `The job definition's managed identity needs Storage Blob Data Contributor on the container ${dst}`, command: `az role assignment create --assignee PRINCIPAL_ID --role "Storage Blob Data Contributor" --scope /subscriptions/SUBSCRIPTION_ID/resourceGroups/RESOURCE_GROUP/providers/Microsoft.Storage/storageAccounts/ACCOUNT/blobServices/default/containers/${dst}` },
  ];
}

/** The route of one source/destination pair of a plan. */
export function routeTransfer(input: RouteInput): TransferRoute {
  const reach = input.reach ?? reachOf;
  const src = reach(input.source.settings);
  const dst = reach(input.destination.settings);
  const sourcePath = { bucket: input.source.location.bucket, prefix: asPrefix(input.source.location.key) };
  const destinationPath = { bucket: input.destination.location.bucket, prefix: asPrefix(input.destination.location.key) };
  const refused: TransferRoute['refused'] = [];
  const base = { sourcePath, destinationPath, refused };
  const own = (reason: string): TransferRoute => ({ ...base, engine: 'skyferry', reason, filters: mapFiltersOwn(input.filters), requirements: [] });

  if (src === 'local') return own(`The source is ${REACH_WORDS.local}: no cloud transfer service can reach it without an agent installed here`);
  if (dst === 'local') return own(`The destination is ${REACH_WORDS.local}: the cloud services only write into their own cloud`);
  if (!sourcePath.bucket || !destinationPath.bucket) return own('A managed transfer runs from one bucket to another: choose a bucket on both sides');

  if (dst === 'gcs') {
    if (src === 'aws-s3' || src === 'azure-blob' || src === 'gcs') {
      const service = 'Storage Transfer Service';
      return {
        ...base,
        engine: 'gcp-sts',
        reason: `The destination is Google Cloud Storage and ${ENGINE_WORDS['gcp-sts']} reads ${REACH_WORDS[src]} without an agent`,
        filters: [...mapFiltersSts(input.filters, sourcePath.prefix), ...deletionMapping(input, service)],
        requirements: stsRequirements(input),
      };
    }
    refused.push({ engine: 'gcp-sts', reason: `Storage Transfer Service cannot reach ${REACH_WORDS[src]} without an agent` });
    return own(`The source is ${REACH_WORDS[src]}, which the destination's transfer service cannot reach`);
  }

  if (dst === 'aws-s3') {
    if (src === 'aws-s3' || src === 'azure-blob' || src === 'gcs') {
      const via = src === 'azure-blob' ? ' (Azure Blob through a SAS token)' : src === 'gcs' ? " (Google Cloud Storage through its S3-compatible endpoint with HMAC keys)" : '';
      return {
        ...base,
        engine: 'aws-datasync',
        reason: `The destination is Amazon S3 and ${ENGINE_WORDS['aws-datasync']} reads ${REACH_WORDS[src]} without an agent${via}`,
        filters: [...mapFiltersDataSync(input.filters), ...deletionMapping(input, 'DataSync')],
        requirements: dataSyncRequirements(input),
      };
    }
    refused.push({ engine: 'aws-datasync', reason: `AWS services cannot reach ${REACH_WORDS[src]}: its endpoint is not one of AWS's` });
    return own(`The source is ${REACH_WORDS[src]}, which AWS DataSync cannot reach without an agent`);
  }

  if (dst === 'azure-blob') {
    if (src === 'aws-s3') {
      return {
        ...base,
        engine: 'azure-storage-mover',
        reason: `The destination is Azure Blob Storage and the source is Amazon S3, which ${ENGINE_WORDS['azure-storage-mover']} copies through a multicloud connector`,
        filters: [...mapFiltersNone(input.filters, 'Azure Storage Mover'), ...deletionMapping(input, 'Azure Storage Mover')],
        requirements: storageMoverRequirements(input),
      };
    }
    refused.push({ engine: 'azure-storage-mover', reason: 'Azure Storage Mover copies into Azure from Amazon S3 and file shares only' });
    if (src === 'gcs' || src === 's3-compatible' || src === 'azure-blob') {
      return {
        ...base,
        engine: 'azure-cloud-pull',
        reason: `The destination is Azure Blob Storage: Azure copies each object from a signed URL of the source, so the bytes never cross this computer`,
        filters: mapFiltersOwn(input.filters),
        requirements: [{ text: 'Nothing beyond the accounts already saved: Skyferry signs short-lived read URLs of the source for Azure to fetch' }],
      };
    }
    return own(`The source is ${REACH_WORDS[src]}, which Azure cannot fetch from`);
  }

  return own(`The destination is ${REACH_WORDS[dst]}: no managed transfer service writes there`);
}
