import { z } from 'zod';
import { ProviderKindSchema } from './location';

/**
 * An account is a saved connection. Its settings are plain and may reach the renderer; its secrets live apart,
 * encrypted in the engine, and never cross to the renderer (the renderer only learns `hasSecrets`).
 */
const name = z
  .string()
  .trim()
  .min(1, 'Give the account a name')
  .max(64, 'Account names are at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, dot, dash and underscore, starting with a letter or digit');

/** scheme://authority path ?query #fragment, split without the URL class (shared/ runs with neither DOM nor Node). */
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/;

/**
 * Why an endpoint is refused, or null. An endpoint is only where the service answers: a query string (a SAS, a
 * signature) or a user name and password in it would be kept in the clear with the settings and shown in the UI.
 */
export function endpointProblem(text: string): string | null {
  const m = URL_PARTS.exec(text.trim());
  if (!m) return null; // the URL check says what is wrong
  if (m[2]?.includes('@')) return 'Remove the user name and password (user:pass@) from the endpoint: credentials go in their own fields';
  if (m[4] !== undefined) return 'Remove the query string (from "?") from the endpoint: a SAS token or signature goes in its own field';
  if (m[5] !== undefined) return 'Remove the "#" part from the endpoint';
  return null;
}

const optionalUrl = z
  .string()
  .trim()
  .url('Enter a full URL such as https://s3.example.com or http://127.0.0.1:9000')
  .superRefine((text, ctx) => {
    const problem = endpointProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .optional()
  .or(z.literal('').transform(() => undefined));

/**
 * Which entry of the price catalog prices this account, as `provider/region` (e.g. `wasabi/eu-central-1`); empty
 * for automatic (the provider's own, S3-compatible stores told apart by their endpoint's host).
 */
const pricing = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}\/[A-Za-z0-9._-]{1,64}$/, 'Choose a provider and region from the price catalog')
  .optional()
  .or(z.literal('').transform(() => undefined));

/**
 * How an S3 account signs in. `keys` (also when absent): the access key saved in Skyferry's secret store.
 * `profile`: a profile of the AWS shared config and credentials files (static keys, role_arn with source_profile,
 * credential_process, SSO), resolved and refreshed by the AWS SDK. `environment`: the SDK's default chain
 * (environment variables, web identity, container or instance role). The account saves the choice and the profile's
 * name only; what the SDK obtains stays in the engine's memory.
 */
const awsIdentityFields = {
  auth: z.enum(['keys', 'profile', 'environment']).optional(),
  profile: z.string().trim().max(128).optional(),
};

/**
 * How a GCS account signs in. `key` (also when absent): the service-account key saved in Skyferry's secret store.
 * `adc`: Application Default Credentials read by google-auth-library (gcloud's authorized_user file, a workload
 * identity federation file, service-account impersonation, or the metadata server), from `credentialsFile` when
 * set, else from GOOGLE_APPLICATION_CREDENTIALS or gcloud's well-known file.
 */
const gcpIdentityFields = {
  auth: z.enum(['key', 'adc']).optional(),
  credentialsFile: z.string().trim().max(4096).optional(),
};

export const S3SettingsSchema = z.object({
  kind: z.literal('s3'),
  name,
  region: z.string().trim().min(1, 'Enter a region, e.g. us-east-1').default('us-east-1'),
  endpoint: optionalUrl,
  forcePathStyle: z.boolean().default(false),
  /** Stores other than AWS often reject flexible checksums; "when_required" is the safe choice for them. */
  checksumMode: z.enum(['when_supported', 'when_required']).default('when_supported'),
  /** Optional: limit the account to one bucket (for keys that cannot list buckets). */
  bucket: z.string().trim().optional(),
  pricing,
  ...awsIdentityFields,
});
export const S3SecretsSchema = z.object({
  accessKeyId: z.string().trim().min(1, 'Enter the access key ID'),
  secretAccessKey: z.string().min(1, 'Enter the secret access key'),
  sessionToken: z.string().optional(),
});

export const GcsSettingsSchema = z.object({
  kind: z.literal('gcs'),
  name,
  projectId: z.string().trim().optional(),
  /** An emulator or private endpoint, e.g. http://127.0.0.1:4443. */
  endpoint: optionalUrl,
  /**
   * Send the service account's credentials to `endpoint` too (a private or Private Service Connect endpoint of
   * Google's). Off for emulators, which take no credentials.
   */
  authenticateEndpoint: z.boolean().optional(),
  bucket: z.string().trim().optional(),
  pricing,
  ...gcpIdentityFields,
});
export const GcsSecretsSchema = z.object({
  /** The service-account key file's JSON text; absent for an emulator. */
  serviceAccountJson: z.string().optional(),
});

/**
 * How an Azure account signs in with Microsoft Entra ID (auth "entra"): which credential gets its tokens, in which
 * tenant. Only this choice is saved; tokens stay in the engine's memory (and the Azure CLI's own cache).
 */
export const EntraCredentialSchema = z.enum(['azureCli', 'browser', 'deviceCode']);
export type EntraCredential = z.infer<typeof EntraCredentialSchema>;
export const EntraIdentitySchema = z.object({
  credential: EntraCredentialSchema,
  /** A tenant ID (GUID) or domain; empty for the identity's home tenant. */
  tenantId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]{1,128}$/, 'Enter a tenant ID (GUID) or a domain such as contoso.onmicrosoft.com')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});
export type EntraIdentity = z.infer<typeof EntraIdentitySchema>;

export const AzureSettingsSchema = z.object({
  kind: z.literal('azure'),
  name,
  auth: z.enum(['connectionString', 'sharedKey', 'sas', 'entra']),
  entra: EntraIdentitySchema.optional(),
  accountName: z.string().trim().optional(),
  /** Blob service URL, e.g. https://acct.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1. */
  endpoint: optionalUrl,
  container: z.string().trim().optional(),
  pricing,
});
export const AzureSecretsSchema = z.object({
  connectionString: z.string().optional(),
  accountKey: z.string().optional(),
  sasToken: z.string().optional(),
});

export const LocalSettingsSchema = z.object({
  kind: z.literal('local'),
  name,
  /** The folder this account opens at; its sub-folders show as "buckets". */
  root: z.string().trim().min(1, 'Choose a folder'),
});
export const LocalSecretsSchema = z.object({});

export const AccountSettingsSchema = z.discriminatedUnion('kind', [
  S3SettingsSchema,
  GcsSettingsSchema,
  AzureSettingsSchema,
  LocalSettingsSchema,
]);
export type AccountSettings = z.infer<typeof AccountSettingsSchema>;
export type S3Settings = z.infer<typeof S3SettingsSchema>;
export type GcsSettings = z.infer<typeof GcsSettingsSchema>;
export type AzureSettings = z.infer<typeof AzureSettingsSchema>;
export type LocalSettings = z.infer<typeof LocalSettingsSchema>;
export type S3Secrets = z.infer<typeof S3SecretsSchema>;
export type GcsSecrets = z.infer<typeof GcsSecretsSchema>;
export type AzureSecrets = z.infer<typeof AzureSecretsSchema>;

/** What the account dialog sends: settings plus secrets. Omitted secrets on an edit keep the saved ones. */
export const AccountInputSchema = z.discriminatedUnion('kind', [
  S3SettingsSchema.extend({ secrets: S3SecretsSchema.optional() }),
  GcsSettingsSchema.extend({ secrets: GcsSecretsSchema.optional() }),
  AzureSettingsSchema.extend({ secrets: AzureSecretsSchema.optional() }),
  LocalSettingsSchema.extend({ secrets: LocalSecretsSchema.optional() }),
]);
export type AccountInput = z.infer<typeof AccountInputSchema>;

/** An endpoint as one comparable string: scheme and host in lower case, default port dropped, no trailing slash. */
function normalEndpoint(endpoint: string): string {
  const m = URL_PARTS.exec(endpoint.trim());
  if (!m) return endpoint.trim();
  const scheme = (m[1] ?? '').toLowerCase();
  const host = (m[2] ?? '').toLowerCase().replace(scheme === 'https' ? /:443$/ : scheme === 'http' ? /:80$/ : /$^/, '');
  return `${scheme}://${host}${(m[3] ?? '').replace(/\/+$/, '')}`;
}

/**
 * Where an account's secrets are sent (or, for a connection string, that they name their own place). Saved secrets
 * are reused only while this stays the same: a changed endpoint must not receive a key, a SAS or a signed JWT that
 * was entered for another one.
 */
export function secretsDestination(settings: AccountSettings): string {
  switch (settings.kind) {
    case 's3':
      return settings.endpoint ? normalEndpoint(settings.endpoint) : 'aws';
    case 'gcs':
      // Without an authenticated endpoint the key goes to Google alone (an emulator gets no credentials).
      return settings.endpoint && settings.authenticateEndpoint ? normalEndpoint(settings.endpoint) : 'google';
    case 'azure':
      if (settings.auth === 'connectionString') return 'connectionString';
      return `${settings.auth} ${settings.endpoint ? normalEndpoint(settings.endpoint) : `https://${settings.accountName ?? ''}.blob.core.windows.net`}`;
    case 'local':
      return 'local';
  }
}

/** False for an account that signs in without Skyferry's secret store (an AWS profile, the environment, Google's ADC, Entra ID). */
export function usesSavedSecrets(settings: AccountSettings): boolean {
  if (settings.kind === 's3') return (settings.auth ?? 'keys') === 'keys';
  if (settings.kind === 'gcs') return (settings.auth ?? 'key') === 'key';
  if (settings.kind === 'azure') return settings.auth !== 'entra';
  return true;
}

/** The message when an edit would send saved secrets somewhere new. */
export function secretsNeededAgain(name: string): string {
  return `The endpoint of ${name} changed: enter its secrets again (saved secrets are only sent to the endpoint they were entered for)`;
}

export const AccountSummarySchema = z.object({
  settings: AccountSettingsSchema,
  hasSecrets: z.boolean(),
});
export type AccountSummary = z.infer<typeof AccountSummarySchema>;

export const ConnectionTestResultSchema = z.object({
  ok: z.boolean(),
  message: z.string(),
  buckets: z.number().int().optional(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResultSchema>;

export { ProviderKindSchema };
