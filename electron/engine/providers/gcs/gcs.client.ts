import { createRequire } from 'node:module';
import type { Storage } from '@google-cloud/storage';
import type { GoogleAuth } from 'google-auth-library';
import type { GcsSecrets, GcsSettings } from '../../../../shared/accounts';
import { InvalidInputError } from '../../../../shared/errors';
import { registerSecret } from '../../log';
import { adcAuth, adcSigningAccount, GCS_SCOPE, type AdcOptions } from './gcs.credentials';

/**
 * The GCS SDK and its auth library are loaded when the first GCS account is used, not with the engine: together
 * they cost about 30 MB of memory and 0.2 s of start-up that a user without a GCS account should not pay.
 */
// The desktop shell's bundle is CommonJS (its own `require`; import.meta is empty there); the host's and the tests'
// are ESM, where a bundler's `require` stand-in would throw.
const moduleUrl = (import.meta as { url?: string }).url;
const load: NodeJS.Require = moduleUrl ? createRequire(moduleUrl) : require;
const gcsSdk = (): { Storage: typeof Storage; GoogleAuth: typeof GoogleAuth } => ({
  Storage: (load('@google-cloud/storage') as typeof import('@google-cloud/storage')).Storage,
  GoogleAuth: (load('google-auth-library') as typeof import('google-auth-library')).GoogleAuth,
});

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  project_id?: string;
}

export const GCS_PUBLIC_ENDPOINT = 'https://storage.googleapis.com';

/**
 * Parses the key file's text. Messages never quote the input: JSON.parse's own message would echo part of it, and
 * that part may be the private key.
 */
export function parseServiceAccount(json: string): ServiceAccountKey {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidInputError('The service-account key is not valid JSON: paste the whole key file downloaded from the Google Cloud console');
  }
  const rec = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const email = rec?.client_email;
  const key = rec?.private_key;
  if (typeof email !== 'string' || !email.trim() || typeof key !== 'string' || !key.includes('PRIVATE KEY')) {
    throw new InvalidInputError('The service-account key lacks client_email or private_key: download a new JSON key for the service account');
  }
  const project = rec?.project_id;
  return { client_email: email, private_key: key, ...(typeof project === 'string' && project ? { project_id: project } : {}) };
}

export interface GcsClient {
  storage: Storage;
  endpoint: string;
  /**
   * True when V4 URLs can be signed: offline with a private key at hand, or (ADC) through `signingAccount`.
   */
  canSign: boolean;
  /**
   * ADC: the service account a URL is signed as, found when the first link is made; throws, saying why, for
   * credentials that cannot sign (a person's own).
   */
  signingAccount?: () => Promise<string>;
  /** IAM Credentials' `.../serviceAccounts/` prefix for signBlob; Google's own when absent. */
  signingEndpoint?: string;
}

/**
 * With an endpoint (an emulator such as fake-gcs-server) requests go unauthenticated, as the SDK does for a custom
 * endpoint, and a key, if given, is used only to sign URLs; unless `authenticateEndpoint` is set (a private or
 * Private Service Connect endpoint of Google's), which needs the key and sends it as the public endpoint gets it.
 * Without an endpoint the service-account key is required.
 *
 * An authenticated endpoint uses self-signed JWTs (google-auth-library's `useJWTAccessWithScope`, which Google's
 * APIs accept from service accounts): no token request to oauth2.googleapis.com, which a private network that
 * reaches only the storage endpoint may not allow.
 */
export function createGcsClient(settings: GcsSettings, secrets: GcsSecrets, adc: AdcOptions = {}): GcsClient {
  if (settings.auth === 'adc') return createAdcClient(settings, adc);
  const raw = secrets.serviceAccountJson?.trim();
  const key = raw ? parseServiceAccount(raw) : undefined;
  if (key) registerSecret(key.private_key);
  if (!settings.endpoint && !key) {
    throw new InvalidInputError('Add the service-account key (JSON) for this account, or set an emulator endpoint');
  }
  const authenticated = Boolean(settings.endpoint) && settings.authenticateEndpoint === true;
  if (authenticated && !key) {
    throw new InvalidInputError('Sending credentials to the endpoint needs the service-account key (JSON): add it, or turn that option off for an emulator');
  }
  const projectId = settings.projectId || key?.project_id || (settings.endpoint ? 'skyferry-emulator' : undefined);
  if (!projectId) throw new InvalidInputError('Enter the project ID: the service-account key does not name one');
  const endpoint = settings.endpoint ? settings.endpoint.replace(/\/+$/, '') : GCS_PUBLIC_ENDPOINT;
  const credentials = key ? { client_email: key.client_email, private_key: key.private_key } : undefined;
  const sdk = gcsSdk();
  let authClient: GoogleAuth | undefined;
  if (authenticated && credentials) {
    authClient = new sdk.GoogleAuth({ credentials, projectId, scopes: [GCS_SCOPE] });
    authClient.useJWTAccessWithScope = true;
  }
  const storage = new sdk.Storage({
    projectId,
    ...(settings.endpoint ? { apiEndpoint: endpoint, useAuthWithCustomEndpoint: authenticated } : {}),
    ...(authClient ? { authClient } : credentials ? { credentials } : {}),
    // The job manager retries with jittered backoff; the SDK's own retries stay few so they do not multiply.
    retryOptions: { autoRetry: true, maxRetries: 2, maxRetryDelay: 8, totalTimeout: 120 },
  });
  return { storage, endpoint, canSign: key !== undefined };
}

/**
 * An account on Application Default Credentials: every request carries the credentials' bearer token, a custom
 * endpoint included (it is a private Google endpoint then: ADC is pointless against an emulator). URLs are signed
 * as the credentials' service account: offline with a key file's private key, otherwise by IAM Credentials'
 * signBlob (google-auth-library's GoogleAuth.sign, which the SDK calls); a person's own credentials cannot sign.
 */
function createAdcClient(settings: GcsSettings, adc: AdcOptions): GcsClient {
  const sdk = gcsSdk();
  const endpoint = settings.endpoint ? settings.endpoint.replace(/\/+$/, '') : GCS_PUBLIC_ENDPOINT;
  const authClient = adcAuth(sdk.GoogleAuth, settings, GCS_SCOPE, adc);
  const storage = new sdk.Storage({
    ...(settings.projectId ? { projectId: settings.projectId } : {}),
    ...(settings.endpoint ? { apiEndpoint: endpoint, useAuthWithCustomEndpoint: true } : {}),
    authClient,
    retryOptions: { autoRetry: true, maxRetries: 2, maxRetryDelay: 8, totalTimeout: 120 },
  });
  return {
    storage,
    endpoint,
    canSign: true,
    signingAccount: () => adcSigningAccount(authClient, settings),
    ...(adc.iamCredentialsEndpoint ? { signingEndpoint: adc.iamCredentialsEndpoint } : {}),
  };
}
