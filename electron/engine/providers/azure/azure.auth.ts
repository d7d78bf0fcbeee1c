import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential, type StoragePipelineOptions } from '@azure/storage-blob';
import type { AzureSecrets, AzureSettings } from '../../../../shared/accounts';
import { InvalidInputError } from '../../../../shared/errors';
import { registerSecret } from '../../log';

export interface AzureClients {
  service: BlobServiceClient;
  /** Present only with an account key (shared key or a connection string holding one): presign needs it. */
  sharedKey: StorageSharedKeyCredential | undefined;
  /** The blob service URL without a query, safe to show. */
  endpoint: string;
  /** The storage account's name when signed in with Microsoft Entra ID: presign signs user-delegation SAS for it. */
  delegatedAccount?: string;
}

/**
 * The SDK retries on its own; the job manager retries too (with jitter and Retry-After), so the SDK keeps to a
 * few quick tries and an unreachable endpoint fails in seconds rather than minutes.
 */
const PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, retryDelayInMs: 300, maxRetryDelayInMs: 3000 },
  userAgentOptions: { userAgentPrefix: 'skyferry' },
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function withoutQuery(url: string): string {
  const i = url.indexOf('?');
  return trimSlash(i < 0 ? url : url.slice(0, i));
}

function defaultEndpoint(settings: AzureSettings): string {
  if (settings.endpoint) return trimSlash(settings.endpoint);
  if (!settings.accountName) {
    throw new InvalidInputError(`Account ${settings.name}: enter the storage account name or the blob service endpoint.`);
  }
  return `https://${settings.accountName}.blob.core.windows.net`;
}

function fromConnectionString(settings: AzureSettings, secrets: AzureSecrets): AzureClients {
  const cs = secrets.connectionString?.trim();
  if (!cs) throw new InvalidInputError(`Account ${settings.name}: enter the connection string (Azure portal, Access keys).`);
  registerSecret(cs);
  for (const m of cs.matchAll(/(?:AccountKey|SharedAccessSignature)=([^;]+)/gi)) registerSecret(m[1]);
  let service: BlobServiceClient;
  try {
    service = BlobServiceClient.fromConnectionString(cs, PIPELINE);
  } catch {
    // The SDK's message may quote the string; ours must not.
    throw new InvalidInputError(
      `Account ${settings.name}: the connection string is malformed. Expected "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=..." or "BlobEndpoint=...;SharedAccessSignature=...".`,
    );
  }
  const credential = service.credential;
  return {
    service,
    sharedKey: credential instanceof StorageSharedKeyCredential ? credential : undefined,
    endpoint: withoutQuery(service.url),
  };
}

function fromSharedKey(settings: AzureSettings, secrets: AzureSecrets): AzureClients {
  const key = secrets.accountKey?.trim();
  if (!settings.accountName) throw new InvalidInputError(`Account ${settings.name}: enter the storage account name.`);
  if (!key) throw new InvalidInputError(`Account ${settings.name}: enter the account key (Azure portal, Access keys).`);
  if (!BASE64.test(key)) throw new InvalidInputError(`Account ${settings.name}: the account key is not valid base64; copy it again from the Azure portal.`);
  registerSecret(key);
  const sharedKey = new StorageSharedKeyCredential(settings.accountName, key);
  const endpoint = defaultEndpoint(settings);
  return { service: new BlobServiceClient(endpoint, sharedKey, PIPELINE), sharedKey, endpoint };
}

function fromSas(settings: AzureSettings, secrets: AzureSecrets): AzureClients {
  const sas = secrets.sasToken?.trim().replace(/^\?/, '');
  if (!sas) throw new InvalidInputError(`Account ${settings.name}: enter the SAS token (the part after "?" in a SAS URL).`);
  if (!/(^|&)sig=/.test(sas)) throw new InvalidInputError(`Account ${settings.name}: the SAS token has no signature (sig=); paste the whole token.`);
  for (const m of sas.matchAll(/(?:^|&)sig=([^&]+)/g)) {
    registerSecret(m[1]);
    registerSecret(decodeURIComponent(m[1] ?? ''));
  }
  const endpoint = defaultEndpoint(settings);
  return { service: new BlobServiceClient(`${endpoint}?${sas}`, undefined, PIPELINE), sharedKey: undefined, endpoint };
}

/** The storage account's name: the setting, else the first label of an Azure host name. */
function storageAccountName(settings: AzureSettings, endpoint: string): string {
  if (settings.accountName) return settings.accountName;
  const host = /^https?:\/\/([^/:]+)/.exec(endpoint)?.[1] ?? '';
  const name = /^([a-z0-9]{3,24})\.blob\./.exec(host)?.[1];
  if (!name) throw new InvalidInputError(`Account ${settings.name}: enter the storage account name.`);
  return name;
}

function fromIdentity(settings: AzureSettings, credential: TokenCredential | undefined): AzureClients {
  if (!credential) throw new InvalidInputError(`Account ${settings.name}: sign in with Microsoft Entra ID in Accounts.`);
  const endpoint = defaultEndpoint(settings);
  // Tokens are sent only over TLS (the SDK refuses a bearer token on http://).
  if (!endpoint.startsWith('https://')) throw new InvalidInputError(`Account ${settings.name}: a Microsoft Entra sign-in needs an https:// blob endpoint.`);
  return { service: new BlobServiceClient(endpoint, credential, PIPELINE), sharedKey: undefined, endpoint, delegatedAccount: storageAccountName(settings, endpoint) };
}

export function createAzureClients(settings: AzureSettings, secrets: AzureSecrets, credential?: TokenCredential): AzureClients {
  switch (settings.auth) {
    case 'connectionString':
      return fromConnectionString(settings, secrets);
    case 'sharedKey':
      return fromSharedKey(settings, secrets);
    case 'sas':
      return fromSas(settings, secrets);
    case 'entra':
      return fromIdentity(settings, credential);
  }
}
