import type { TokenCredential } from '@azure/identity';
import { AzureSecretsSchema, GcsSecretsSchema, S3SecretsSchema, usesSavedSecrets, type AccountSettings, type AzureSettings } from '../../../shared/accounts';
import { InvalidInputError } from '../../../shared/errors';
import { createAzureProvider } from './azure/azure.provider';
import type { AdcOptions } from './gcs/gcs.credentials';
import { createGcsProvider } from './gcs/gcs.provider';
import { createLocalProvider } from './local/local.provider';
import type { MultipartSettings, Provider } from './provider';
import { createS3Provider, type S3ProviderOptions } from './s3/s3.provider';

/** The cloud-side pull's defaults (Azure's Put Blob / Put Block From URL sizes), which the cost estimator prices. */
export { DEFAULT_PULL, type PullSettings } from './azure/azure.pull';
/** The AWS profiles the account dialog offers, and the MFA prompt a role may need. */
export { listAwsProfiles, ssoLoginCommand, type AwsProfileInfo, type MfaCodeSource } from './s3/s3.credentials';

/** Tuning for tests and benchmarks; the app itself uses each provider's defaults. */
export type ProviderOptions = S3ProviderOptions & {
  multipart?: MultipartSettings;
  adc?: AdcOptions;
  /** The Microsoft Entra ID credential of an Azure account with auth "entra" (the engine keeps one per identity). */
  azureCredential?: (settings: AzureSettings) => TokenCredential;
};

/** Saved (or just entered) secret values by field; parsed here against the account kind's schema. */
export type SecretInput = Readonly<Record<string, string>> | undefined;

function parseSecrets<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, secrets: SecretInput, name: string, what: string): T {
  const parsed = schema.safeParse(secrets ?? {});
  // The message names the missing thing, never a value.
  if (!parsed.success) throw new InvalidInputError(`The account "${name}" has no saved ${what}: enter them in Accounts`);
  return parsed.data;
}

/** Builds the provider for one account. Secrets stay inside the engine: the provider keeps them in its client. */
export function createProvider(settings: AccountSettings, secrets: SecretInput, options: ProviderOptions = {}): Provider {
  switch (settings.kind) {
    case 'local':
      return createLocalProvider(settings);
    case 's3':
      return createS3Provider(settings, usesSavedSecrets(settings) ? parseSecrets(S3SecretsSchema, secrets, settings.name, 'access key ID and secret access key') : undefined, options);
    case 'gcs':
      return createGcsProvider(settings, usesSavedSecrets(settings) ? parseSecrets(GcsSecretsSchema, secrets, settings.name, 'service-account key') : {}, { multipart: options.multipart, ...(options.adc ? { adc: options.adc } : {}) });
    case 'azure':
      if (settings.auth === 'entra') return createAzureProvider(settings, {}, { multipart: options.multipart, credential: options.azureCredential?.(settings) });
      return createAzureProvider(settings, parseSecrets(AzureSecretsSchema, secrets, settings.name, 'connection string, key or SAS'), { multipart: options.multipart });
  }
}
