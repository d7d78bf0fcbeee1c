import { z } from 'zod';
import { channel, Ok } from './define';
import { MigrationFiltersSchema, MigrationModeSchema } from './migrations.channels';
import { UriSchema } from './storage.channels';

/**
 * Cloud transfers: a migration's pair handed to the destination cloud's own transfer service (Storage Transfer
 * Service, DataSync, Storage Mover). Skyferry creates the service's job after a confirmation, follows it, journals
 * its ids so that it reattaches after a restart, and removes what it created when asked.
 */
export const TransferEngineSchema = z.enum(['gcp-sts', 'aws-datasync', 'azure-storage-mover', 'azure-cloud-pull', 'skyferry']);

export const CloudTransferStateSchema = z.enum(['queued', 'running', 'paused', 'cancelling', 'succeeded', 'failed', 'cancelled']);
export type CloudTransferState = z.infer<typeof CloudTransferStateSchema>;

const count = z.number().int().nonnegative();

/** One service's progress in one shape, for the Transfers panel; a counter the service does not give is absent. */
export const CloudTransferProgressSchema = z.object({
  state: CloudTransferStateSchema,
  /** The service's own word for the state (`IN_PROGRESS`, `TRANSFERRING`, `Running`). */
  serviceState: z.string(),
  objectsFound: count.optional(),
  bytesFound: count.optional(),
  objectsCopied: count,
  bytesCopied: count,
  objectsFailed: count,
  bytesFailed: count.optional(),
  /** Already at the destination and left alone. */
  objectsSkipped: count.optional(),
  /** The service's errors in words (`3 objects: PERMISSION_DENIED: ...`), at most 20. */
  errors: z.array(z.string()),
  /** ISO 8601, when the service says. */
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});
export type CloudTransferProgress = z.infer<typeof CloudTransferProgressSchema>;

/** Something Skyferry created in the user's cloud, named so that it can be removed afterwards. */
export const CreatedResourceSchema = z.object({
  kind: z.enum(['sts-job', 'datasync-location', 'datasync-task', 'mover-project', 'mover-endpoint', 'mover-job-definition']),
  /** The service's id or ARN or resource id. */
  id: z.string(),
  description: z.string(),
});
export type CreatedResource = z.infer<typeof CreatedResourceSchema>;

/**
 * Where the service's job lives and which saved account's credentials drive it (never the credentials themselves):
 * the GCP project, the AWS region, or the Azure subscription, resource group and storage mover.
 */
export const ServiceConnectionSchema = z.object({
  account: z.string().min(1).max(64),
  projectId: z.string().max(128).optional(),
  region: z.string().max(64).optional(),
  subscriptionId: z.string().max(64).optional(),
  resourceGroup: z.string().max(128).optional(),
  storageMover: z.string().max(128).optional(),
});
export type ServiceConnection = z.infer<typeof ServiceConnectionSchema>;

export const CloudTransferSchema = z.object({
  id: z.string(),
  engine: TransferEngineSchema,
  migrationId: z.string().optional(),
  source: z.string(),
  destination: z.string(),
  /** The service's job (STS job name, DataSync task ARN, Storage Mover job definition id). */
  connection: ServiceConnectionSchema,
  serviceJobId: z.string(),
  /** The current run (STS operation name, DataSync execution ARN, Storage Mover job run id). */
  serviceRunId: z.string().optional(),
  created: z.array(CreatedResourceSchema),
  createdAt: z.string(),
  progress: CloudTransferProgressSchema.optional(),
  /** True once `cloudTransfers:remove` deleted what was created. */
  removed: z.boolean().default(false),
  /** The last failure to reach the service (not the transfer's own errors, which are in `progress`), in words. */
  lastError: z.string().optional(),
  /** Set once a cancel was sent (DataSync reports a cancelled run as ERROR). */
  cancelRequested: z.boolean().optional(),
  /** When `progress` was last read from the service (ISO 8601). */
  checkedAt: z.string().optional(),
  /** Once the run ended: when the plan's verification and report were done (ISO 8601). */
  verifiedAt: z.string().optional(),
  /** Why the verification after the run could not be made, in words. */
  verifyError: z.string().optional(),
  /** The run's copy speed between the last two reads of its progress (0 when it did not move or is not running). */
  bytesPerSecond: z.number().nonnegative().optional(),
  /** Said by the engine, not journaled: the service's name, and whether it can pause a run (STS can, DataSync and Storage Mover cannot). */
  engineName: z.string().optional(),
  canPause: z.boolean().optional(),
});
export type CloudTransfer = z.output<typeof CloudTransferSchema>;

export const RouteRequestSchema = z.object({
  source: UriSchema,
  destination: UriSchema,
  mode: MigrationModeSchema.default('copy'),
  deletionsEnabled: z.boolean().default(false),
  filters: MigrationFiltersSchema.default({}),
  /** The bytes the plan would copy (for the service's fee). */
  bytes: z.number().nonnegative().default(0),
});

const FeeLineSchema = z.object({ label: z.string(), usd: z.number().nullable(), source: z.string(), asOf: z.string(), note: z.string().optional() });

/** Which engine would carry the pair, why, what the filters become, what must be granted, and the service's fee. */
export const TransferRouteSchema = z.object({
  engine: TransferEngineSchema,
  engineName: z.string(),
  reason: z.string(),
  refused: z.array(z.object({ engine: TransferEngineSchema, reason: z.string() })),
  sourcePath: z.object({ bucket: z.string(), prefix: z.string() }),
  destinationPath: z.object({ bucket: z.string(), prefix: z.string() }),
  filters: z.array(z.object({ filter: z.string(), mapped: z.string().optional(), unmapped: z.string().optional() })),
  requirements: z.array(z.object({ text: z.string(), command: z.string().optional() })),
  /** The service's own fee, to add to the plan's request and egress estimate; `complete` false when a figure is unconfirmed. */
  fee: z.object({ usd: z.number(), complete: z.boolean(), lines: z.array(FeeLineSchema) }),
});
export type TransferRoute = z.infer<typeof TransferRouteSchema>;

export const CreateRequestSchema = RouteRequestSchema.extend({
  connection: ServiceConnectionSchema,
  migrationId: z.string().max(128).optional(),
  /** DataSync: the IAM role it assumes for the S3 locations (see the route's requirements). */
  roleArn: z.string().max(2048).optional(),
  /** The plan's filters that the service cannot apply were shown and accepted (the service copies more). */
  acceptUnmapped: z.boolean().default(false),
  /**
   * DataSync from Google Cloud Storage: an HMAC key of a service account that may read the source bucket, for the
   * location DataSync reads through Google's S3-compatible endpoint. Handed to DataSync only, never journaled.
   */
  hmac: z.object({ accessId: z.string().trim().min(1).max(128), secret: z.string().min(1).max(256) }).strict().optional(),
  /**
   * Azure Storage Mover from Amazon S3: the Azure Arc multicloud connector and its resource of the S3 bucket (see the
   * route's requirements), and the destination storage account's resource id (by default the account of the
   * destination, in the connection's subscription and resource group). Resource ids, not secrets.
   */
  mover: z
    .object({
      multiCloudConnectorId: z.string().trim().min(1).max(1024),
      awsS3BucketId: z.string().trim().min(1).max(1024),
      storageAccountResourceId: z.string().trim().min(1).max(1024).optional(),
    })
    .strict()
    .optional(),
});

/** What `cloudTransfers:create` would create, said before anything is. */
export const CreatePreviewSchema = z.object({
  route: TransferRouteSchema,
  creates: z.array(z.object({ kind: CreatedResourceSchema.shape.kind, description: z.string() })),
  unmapped: z.array(z.string()),
  /** Why it cannot be created from here, when it cannot. */
  blocked: z.string().optional(),
});
export type CreatePreview = z.infer<typeof CreatePreviewSchema>;

const IdRequest = z.object({ id: z.string().min(1).max(128) });

export const cloudTransferChannels = {
  /** Reads only: the route of one source/destination pair of a plan. */
  'cloudTransfers:route': channel(RouteRequestSchema, TransferRouteSchema),
  /** Reads only: what `create` would create in the user's cloud, and what of the plan it cannot carry. */
  'cloudTransfers:preview': channel(CreateRequestSchema, CreatePreviewSchema),
  /** Creates the service's job from the plan (after the confirmation listed by `preview`) and starts it. */
  'cloudTransfers:create': channel(CreateRequestSchema, CloudTransferSchema),
  /** Every journaled cloud transfer, newest first (shown in the Transfers panel beside the jobs). */
  'cloudTransfers:list': channel(z.object({}).strict(), z.array(CloudTransferSchema)),
  /** Asks the service for the current progress and journals it. */
  'cloudTransfers:refresh': channel(IdRequest, CloudTransferSchema),
  'cloudTransfers:pause': channel(IdRequest, Ok),
  'cloudTransfers:resume': channel(IdRequest, Ok),
  'cloudTransfers:cancel': channel(IdRequest, Ok),
  /** Deletes what Skyferry created in the cloud for this transfer (job, locations, task); the data copied stays. */
  'cloudTransfers:remove': channel(IdRequest, Ok),
  /**
   * Forgets the transfers that are over and hold nothing in the cloud (ended, with what was created removed or
   * nothing created); `kept`: ended ones whose job is still in the cloud, which stay listed.
   */
  'cloudTransfers:clearFinished': channel(z.object({}).strict(), z.object({ cleared: z.number().int().min(0), kept: z.number().int().min(0) }).strict()),
} as const;

export const cloudTransferEvents = {
  'cloudTransfers:progress': CloudTransferSchema,
} as const;
