import type { TokenCredential } from '@azure/identity';
import { GoogleAuth, OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import type { AccountSettings, AzureSettings } from '../../../shared/accounts';
import type { CloudTransfer } from '../../../shared/contract/cloud-transfer.channels';
import { InvalidInputError } from '../../../shared/errors';
import { createDataSyncClient, DataSyncTransfer } from './aws-datasync';
import { StorageMoverTransfer } from './azure-storage-mover';
import { dataSyncDriver, storageMoverDriver, stsDriver } from './drivers';
import { createStsClient, StsTransfer } from './gcp-sts';
import { reachAsImitated, type Reach } from './routing';
import type { ServiceDriver } from './service';

/** A saved account as the engine holds it: settings and (engine-only) secrets. */
export interface AccountWithSecrets {
  settings: AccountSettings;
  secrets: Record<string, string> | undefined;
}

export interface ConnectOptions {
  /** Test stand-ins: the services' endpoints (`arm`: Azure Resource Manager, for Storage Mover). */
  endpoints?: { sts?: string; datasync?: string; arm?: string };
  /** Test stand-ins: a CA certificate to trust for the ARM endpoint (a self-signed one). */
  armCa?: string;
  /** Test stand-ins: how often Storage Mover's long-running deletes are polled. */
  armPollMs?: number;
  /** The Microsoft Entra ID credential of an Azure account with auth "entra" (the engine keeps one per identity). */
  azureCredential?: (settings: AzureSettings) => TokenCredential;
  /** Google credentials other than the account's key (a test's token in hand). */
  googleAuth?: GoogleAuth | OAuth2Client;
  /** Test stand-ins: where an account's data lives as the services see it (emulators taken for their clouds). */
  reach?: (settings: AccountSettings) => Reach;
}

const StandInSchema = z.object({ sts: z.string().url().optional(), datasync: z.string().url().optional(), pollMs: z.number().int().positive().optional() }).strict();

/**
 * For the end-to-end tests only: SKYFERRY_TRANSFER_STAND_IN (`{"sts":"http://127.0.0.1:PORT","pollMs":200}`) points
 * the services' SDKs at local stand-ins, takes the emulators for the clouds they imitate so that the plan offers the
 * service, and gives the stand-in a placeholder Google token. Unset (always, outside tests): undefined.
 */
export function standInFromEnv(env: NodeJS.ProcessEnv = process.env): { connect: ConnectOptions; pollMs?: number } | undefined {
  const raw = env.SKYFERRY_TRANSFER_STAND_IN;
  if (!raw) return undefined;
  const parsed = StandInSchema.parse(JSON.parse(raw));
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'stand-in-token', expiry_date: Date.now() + 24 * 3_600_000 });
  const endpoints = { ...(parsed.sts ? { sts: parsed.sts } : {}), ...(parsed.datasync ? { datasync: parsed.datasync } : {}) };
  return { connect: { endpoints, googleAuth: auth, reach: reachAsImitated }, ...(parsed.pollMs ? { pollMs: parsed.pollMs } : {}) };
}

/**
 * A driver for a journaled transfer, from the saved account its connection names: the Google service account key
 * of a GCS account drives Storage Transfer Service, the access key of an S3 account drives DataSync, the Entra ID
 * sign-in of an Azure account drives Storage Mover.
 */
export function stsFor(t: Pick<CloudTransfer, 'connection'>, account: AccountWithSecrets | undefined, options: ConnectOptions = {}): StsTransfer {
  if (!account) throw new InvalidInputError(`No account named ${t.connection.account}`);
  const { settings, secrets } = account;
  if (settings.kind !== 'gcs' || (!secrets?.serviceAccountJson && !options.googleAuth)) throw new InvalidInputError(`Storage Transfer Service is driven by a Google Cloud Storage account with a service account key; ${t.connection.account} has none`);
  const projectId = t.connection.projectId ?? settings.projectId;
  if (!projectId) throw new InvalidInputError(`Say which Google Cloud project runs the transfer (the account ${t.connection.account} names none)`);
  const auth = options.googleAuth ?? new GoogleAuth({ credentials: JSON.parse(secrets?.serviceAccountJson ?? '{}') as Record<string, string>, scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  return new StsTransfer(createStsClient({ projectId, auth, ...(options.endpoints?.sts ? { endpoint: options.endpoints.sts } : {}) }), projectId);
}

export function dataSyncFor(t: Pick<CloudTransfer, 'connection'>, account: AccountWithSecrets | undefined, options: ConnectOptions = {}): DataSyncTransfer {
  if (!account) throw new InvalidInputError(`No account named ${t.connection.account}`);
  const { settings, secrets } = account;
  if (settings.kind !== 's3' || !secrets?.accessKeyId || !secrets.secretAccessKey) throw new InvalidInputError(`DataSync is driven by an Amazon S3 account with an access key; ${t.connection.account} has none`);
  const credentials = { accessKeyId: secrets.accessKeyId, secretAccessKey: secrets.secretAccessKey, ...(secrets.sessionToken ? { sessionToken: secrets.sessionToken } : {}) };
  const region = t.connection.region ?? settings.region;
  return new DataSyncTransfer(createDataSyncClient({ region, credentials, ...(options.endpoints?.datasync ? { endpoint: options.endpoints.datasync } : {}) }));
}

/**
 * Storage Mover is driven through Azure Resource Manager with the Entra ID sign-in of an Azure account (auth
 * "entra"), in the subscription, resource group and storage mover the connection names.
 */
export function moverFor(t: Pick<CloudTransfer, 'connection'>, account: AccountWithSecrets | undefined, options: ConnectOptions = {}): StorageMoverTransfer {
  if (!account) throw new InvalidInputError(`No account named ${t.connection.account}`);
  const { settings } = account;
  if (settings.kind !== 'azure' || settings.auth !== 'entra') throw new InvalidInputError(`Azure Storage Mover is driven by an Azure account signed in with Microsoft Entra ID; ${t.connection.account} ${settings.kind === 'azure' ? 'holds a storage key or SAS token' : 'is not an Azure account'}`);
  if (!options.azureCredential) throw new InvalidInputError('Microsoft Entra ID sign-in is not available here');
  const { subscriptionId, resourceGroup, storageMover } = t.connection;
  if (!subscriptionId || !resourceGroup || !storageMover) throw new InvalidInputError('Say the Azure subscription, resource group and storage mover that run the transfer');
  return new StorageMoverTransfer({
    subscriptionId,
    resourceGroup,
    storageMover,
    credential: options.azureCredential(settings),
    ...(options.endpoints?.arm ? { endpoint: options.endpoints.arm } : {}),
    ...(options.armCa ? { ca: options.armCa } : {}),
    ...(options.armPollMs === undefined ? {} : { pollIntervalMs: options.armPollMs }),
  });
}

export function connectDriver(t: CloudTransfer, account: AccountWithSecrets | undefined, options: ConnectOptions = {}): ServiceDriver {
  if (!account) throw new InvalidInputError(`The account ${t.connection.account} that drives this transfer no longer exists: add it again to follow the transfer`);
  switch (t.engine) {
    case 'gcp-sts':
      return stsDriver(stsFor(t, account, options));
    case 'aws-datasync':
      return dataSyncDriver(dataSyncFor(t, account, options));
    case 'azure-storage-mover':
      return storageMoverDriver(moverFor(t, account, options));
    default:
      throw new InvalidInputError(`${t.engine} runs on this computer, not as a cloud service`);
  }
}
