import type { GoogleAuth, GoogleAuthOptions } from 'google-auth-library';
import type { GcsSettings } from '../../../../shared/accounts';
import { AccessDeniedError, InvalidInputError, UnsupportedError, type SkyferryError } from '../../../../shared/errors';
import { registerSecret } from '../../log';
import { field } from '../common/errors';

export const GCS_SCOPE = 'https://www.googleapis.com/auth/devstorage.full_control';
export const ADC_LOGIN_COMMAND = 'gcloud auth application-default login';

/** Tuning for tests: Google's endpoints that google-auth-library and the GCS SDK let a caller name. */
export interface AdcOptions {
  /** Where an authorized_user file's refresh token is exchanged (google-auth-library's own option). */
  oauth2TokenUrl?: string;
  /** IAM Credentials' `.../serviceAccounts/` prefix, where a URL is signed (signBlob) without a private key. */
  iamCredentialsEndpoint?: string;
}

export const IMPERSONATE_LOGIN_COMMAND = 'gcloud auth application-default login --impersonate-service-account=SERVICE_ACCOUNT_EMAIL';

/**
 * The service account that signs a URL for an ADC account: a key file's own (signed offline with its key), the one
 * impersonated (gcloud's --impersonate-service-account, a federation file's service_account_impersonation_url) or
 * the metadata server's (both signed through IAM Credentials' signBlob). A person's own credentials
 * (authorized_user, a workforce identity) and a federated identity with no service account name none: they cannot
 * sign, and the error says why and what to sign in with instead.
 */
export async function adcSigningAccount(auth: GoogleAuth, settings: GcsSettings): Promise<string> {
  const credentials = await auth.getCredentials();
  if (credentials.client_email) return credentials.client_email;
  const type = field(auth.jsonContent, 'type');
  const why = 'only a service account can sign a share link or a link for a cloud-side copy';
  if (type === 'external_account') {
    throw new UnsupportedError(
      `${settings.name} signs in with a federated identity that acts as no service account, and ${why}: create the credentials file with \`--service-account\` (gcloud iam workload-identity-pools create-cred-config), or give the account a service-account key`,
    );
  }
  throw new UnsupportedError(`${settings.name} signs in to Google as a person, and ${why}: run \`${IMPERSONATE_LOGIN_COMMAND}\`, or give the account a service-account key`);
}

/**
 * What a failed signBlob means: the signing service account (or the identity acting as it) lacks
 * iam.serviceAccounts.signBlob, which the role Service Account Token Creator on that service account grants.
 */
export function adcSigningError(err: unknown, settings: GcsSettings, signer: string): SkyferryError | undefined {
  const message = field(err, 'message');
  if (field(err, 'name') !== 'SigningError' || typeof message !== 'string') return undefined;
  if (/signBlob|PERMISSION_DENIED|denied|403/i.test(message)) {
    return new AccessDeniedError(`Google refused to sign a link as ${signer} for ${settings.name}: grant the role "Service Account Token Creator" on ${signer} to the identity ${settings.name} signs in with (the service account itself, when it signs as itself)`, { cause: err });
  }
  return new AccessDeniedError(`Google could not sign a link as ${signer} for ${settings.name}`, { cause: err });
}

/**
 * Application Default Credentials through google-auth-library's GoogleAuth: the file named by the account (or
 * GOOGLE_APPLICATION_CREDENTIALS, or gcloud's well-known file, or the metadata server), whatever its type
 * (authorized_user, external_account for workload identity federation, impersonated_service_account,
 * service_account). The library refreshes its access tokens itself; each one is registered with the log's
 * redaction as it arrives and kept nowhere else. The project is the account's, else the one the credentials name.
 */
export function adcAuth(GoogleAuthClass: typeof GoogleAuth, settings: GcsSettings, scope: string, options: AdcOptions = {}): GoogleAuth {
  const init: GoogleAuthOptions = {
    scopes: [scope],
    ...(settings.credentialsFile ? { keyFilename: settings.credentialsFile } : {}),
    ...(settings.projectId ? { projectId: settings.projectId } : {}),
    ...(options.oauth2TokenUrl ? { clientOptions: { endpoints: { oauth2TokenUrl: options.oauth2TokenUrl } } } : {}),
  };
  const auth = new GoogleAuthClass(init);
  auth.getClient().then(
    (client) => {
      client.on('tokens', (tokens: unknown) => {
        const token = field(tokens, 'access_token');
        if (typeof token === 'string') registerSecret(token);
      });
    },
    // The same failure reaches the first request, which says what to do.
    () => undefined,
  );
  return auth;
}

/**
 * What an ADC failure means for the user, or undefined when it is not one: no credentials found, a refresh token
 * that was revoked or expired (invalid_grant), no project to list buckets in.
 */
export function adcError(err: unknown, settings: GcsSettings): SkyferryError | undefined {
  if (settings.auth !== 'adc') return undefined;
  const message = field(err, 'message');
  const text = typeof message === 'string' ? message : '';
  const data = field(field(err, 'response'), 'data');
  const grant = field(data, 'error');
  const where = settings.credentialsFile ? `the credentials file ${settings.credentialsFile}` : 'the application default credentials';
  if (/Unable to detect a Project Id/i.test(text)) {
    return new InvalidInputError(`Enter the project ID of ${settings.name} in Accounts: ${where} name none`, { cause: err });
  }
  if (/Could not load the default credentials|ENOENT|no such file/i.test(text)) {
    return new AccessDeniedError(`No Google credentials were found for ${settings.name} in ${where}: run \`${ADC_LOGIN_COMMAND}\` or choose the credentials file`, { cause: err });
  }
  if (grant === 'invalid_grant' || /invalid_grant|invalid_rapt|reauth/i.test(text)) {
    return new AccessDeniedError(`The Google sign-in of ${settings.name} has expired or was revoked: run \`${ADC_LOGIN_COMMAND}\` again`, { cause: err });
  }
  if (grant !== undefined || /unsupported credential|does not have the "/i.test(text)) {
    return new AccessDeniedError(`Google did not accept ${where} of ${settings.name}: check the file, or run \`${ADC_LOGIN_COMMAND}\``, { cause: err });
  }
  return undefined;
}
