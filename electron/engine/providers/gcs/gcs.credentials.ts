import type { GoogleAuth, GoogleAuthOptions } from 'google-auth-library';
import type { GcsSettings } from '../../../../shared/accounts';
import { AccessDeniedError, InvalidInputError, type SkyferryError } from '../../../../shared/errors';
import { registerSecret } from '../../log';
import { field } from '../common/errors';

export const GCS_SCOPE = 'https://www.googleapis.com/auth/devstorage.full_control';
export const ADC_LOGIN_COMMAND = 'gcloud auth application-default login';

/** Tuning for tests: where an authorized_user file's refresh token is exchanged (google-auth-library's own option). */
export interface AdcOptions {
  oauth2TokenUrl?: string;
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
