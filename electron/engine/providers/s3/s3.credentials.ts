import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { loadSharedConfigFiles } from '@smithy/core/config';
import type { S3Settings } from '../../../../shared/accounts';
import { AccessDeniedError, InvalidInputError, RetryableError, SkyferryError } from '../../../../shared/errors';
import { registerSecret } from '../../log';
import { networkCodeOf, serviceMessage } from '../common/errors';

/** The SDK's credential provider (the shape fromIni and fromNodeProviderChain return; what S3Client takes). */
export type AwsCredentialProvider = ReturnType<typeof fromIni>;
type AwsIdentity = Awaited<ReturnType<AwsCredentialProvider>>;

/** Asks the user for the current code of an MFA device (the profile's `mfa_serial`), for the role it assumes. */
export type MfaCodeSource = (request: { account: string; profile: string; serial: string }) => Promise<string>;

/** What a profile of the AWS config files signs in with, as the account dialog shows it. */
export type AwsProfileKind = 'keys' | 'role' | 'process' | 'sso' | 'web_identity' | 'other';

export interface AwsProfileInfo {
  name: string;
  kind: AwsProfileKind;
  /** The role asks for an MFA code (mfa_serial). */
  mfa: boolean;
  region?: string;
}

type Section = Record<string, string | undefined>;

function kindOf(section: Section): AwsProfileKind {
  if (section.sso_session || section.sso_start_url) return 'sso';
  if (section.role_arn && section.web_identity_token_file) return 'web_identity';
  if (section.role_arn) return 'role';
  if (section.credential_process) return 'process';
  if (section.aws_access_key_id) return 'keys';
  return 'other';
}

/**
 * The profiles of the shared config and credentials files (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE when
 * set, else ~/.aws/config and ~/.aws/credentials), read with the SDK's own parser and read again on each call. Only
 * names and kinds: no key leaves this function.
 */
export async function listAwsProfiles(): Promise<AwsProfileInfo[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const names = new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)]);
  const out: AwsProfileInfo[] = [];
  for (const name of [...names].sort()) {
    const section: Section = { ...credentialsFile[name], ...configFile[name] };
    const info: AwsProfileInfo = { name, kind: kindOf(section), mfa: Boolean(section.mfa_serial) };
    if (section.region) info.region = section.region;
    out.push(info);
  }
  return out;
}

async function profileKind(profile: string): Promise<AwsProfileKind | undefined> {
  try {
    const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
    const section = configFile[profile] ?? credentialsFile[profile];
    return section ? kindOf({ ...credentialsFile[profile], ...configFile[profile] }) : undefined;
  } catch {
    return undefined;
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT']);

/** The login command an SSO profile needs, as the user types it. */
export function ssoLoginCommand(profile: string): string {
  return `aws sso login --profile ${profile}`;
}

/**
 * Why the SDK could not get credentials for the account, in words that say what to do. An SSO profile's failures
 * all come down to its session (expired, never started, or its cached token unreadable): the message names the
 * command that starts it again. The SDK's own text is kept only where it is the user's own output (a
 * credential_process error) or a service's answer, and then redacted like any message.
 */
async function credentialsError(err: unknown, settings: S3Settings): Promise<SkyferryError> {
  if (err instanceof SkyferryError) return err;
  const name = settings.name;
  const net = networkCodeOf(err);
  if (net && UNREACHABLE.has(net)) {
    return new RetryableError(`Could not reach the AWS sign-in service for ${name} (${net}): check the network`, { cause: err });
  }
  // STS (or SSO) answered with a server error or a throttle: worth another try, as any request.
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || status === 429) {
    return new RetryableError(`The AWS sign-in service was not ready for ${name} (HTTP ${status}); it will be retried`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  const said = serviceMessage(message);
  if (settings.auth === 'environment') {
    return new AccessDeniedError(
      `No AWS credentials were found for ${name} in Skyferry's environment (AWS_* variables, web identity, container or instance role): set them, or choose an AWS profile`,
      { cause: err },
    );
  }
  const profile = settings.profile ?? '';
  const kind = await profileKind(profile);
  if (kind === undefined) {
    return new InvalidInputError(`There is no AWS profile "${profile}" in the AWS config files: check the profile name in Accounts (or AWS_CONFIG_FILE)`, { cause: err });
  }
  if (kind === 'sso') {
    return new AccessDeniedError(`The AWS SSO session of profile "${profile}" has expired or was never started: run \`${ssoLoginCommand(profile)}\`, then try again`, { cause: err });
  }
  if (/mfa/i.test(message)) {
    return new AccessDeniedError(`The role of AWS profile "${profile}" needs an MFA code and none was given: try again and enter the code when asked`, { cause: err });
  }
  if (kind === 'role') return new AccessDeniedError(`The role of AWS profile "${profile}" could not be assumed: ${said}`, { cause: err });
  if (kind === 'process') return new AccessDeniedError(`The credential_process of AWS profile "${profile}" gave no credentials: ${said}`, { cause: err });
  return new AccessDeniedError(`AWS profile "${profile}" gave no credentials: ${said}`, { cause: err });
}

export interface AwsIdentityOptions {
  mfaCode?: MfaCodeSource;
}

/**
 * The credentials of an account that signs in with a profile or the environment: the SDK's own providers, which
 * the S3 client calls again before the credentials expire (its signer refreshes anything within 5 minutes of its
 * Expiration), so a job that outlives one set of temporary credentials carries on with the next. What they return
 * is registered with the log's redaction and kept nowhere else.
 *
 * A role is assumed through STS at the account's endpoint when it has one (an S3-compatible store with its own STS,
 * such as MinIO), else at AWS's STS in the account's region.
 */
export function awsCredentialProvider(settings: S3Settings, options: AwsIdentityOptions = {}): AwsCredentialProvider {
  const region = { region: settings.region };
  // STS at the account's endpoint serves roles only: an SSO profile's portal is AWS's, whatever the storage endpoint.
  const stsConfig = settings.endpoint ? { ...region, endpoint: settings.endpoint } : region;
  let inner: Promise<AwsCredentialProvider> | undefined;
  const build = async (): Promise<AwsCredentialProvider> => {
    if (settings.auth === 'environment') return fromNodeProviderChain({ clientConfig: stsConfig });
    const profile = settings.profile?.trim() ?? '';
    const kind = await profileKind(profile);
    const ask = options.mfaCode;
    return fromIni({
      profile,
      clientConfig: kind === 'role' || kind === 'web_identity' ? stsConfig : region,
      // The config files are read again on each refresh, so an `aws sso login` or an edited profile takes effect.
      ignoreCache: true,
      ...(ask ? { mfaCodeProvider: (serial: string) => ask({ account: settings.name, profile, serial }) } : {}),
    });
  };
  if (settings.auth !== 'environment' && !settings.profile?.trim()) throw new InvalidInputError(`Choose the AWS profile ${settings.name} signs in with`);
  return async (props) => {
    let identity: AwsIdentity;
    try {
      inner ??= build();
      identity = await (await inner)(props);
    } catch (err) {
      throw await credentialsError(err, settings);
    }
    registerSecret(identity.secretAccessKey);
    registerSecret(identity.sessionToken);
    return identity;
  };
}
