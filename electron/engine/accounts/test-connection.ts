import net from 'node:net';
import { usesSavedSecrets, type AccountSettings, type ConnectionTestResult } from '../../../shared/accounts';
import { SkyferryError } from '../../../shared/errors';
import { redact } from '../log';
import { createProvider, type ProviderOptions } from '../providers/factory';
import type { Provider } from '../providers/provider';
import type { SecretValues } from './account-store';

export interface ConnectionTestOptions {
  providerOptions?: ProviderOptions;
  signal?: AbortSignal;
  /** The whole test gives up after this long (the SDKs' own retries included). */
  timeoutMs?: number;
  /** How long the TCP probe of the endpoint waits. */
  probeTimeoutMs?: number;
}

/** The endpoint as a user may see it: no user-info, no query string (a SAS or signed URL stays private). */
export function displayEndpoint(endpoint: string): string {
  try {
    const u = new URL(endpoint);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'the configured endpoint';
  }
}

function azureEndpoint(settings: Extract<AccountSettings, { kind: 'azure' }>, secrets: SecretValues | undefined): string | undefined {
  if (settings.endpoint) return settings.endpoint;
  const cs = secrets?.connectionString;
  if (cs) {
    const parts = new Map(cs.split(';').map((p) => [p.slice(0, p.indexOf('=')).trim().toLowerCase(), p.slice(p.indexOf('=') + 1).trim()] as const));
    const blob = parts.get('blobendpoint');
    if (blob) return blob;
    const account = parts.get('accountname');
    if (account) return `${parts.get('defaultendpointsprotocol') ?? 'https'}://${account}.blob.${parts.get('endpointsuffix') ?? 'core.windows.net'}`;
  }
  return settings.accountName ? `https://${settings.accountName}.blob.core.windows.net` : undefined;
}

/** Where the account's service answers, to probe before the SDK spends its retries on a dead address. */
export function endpointOf(settings: AccountSettings, secrets: SecretValues | undefined): string | undefined {
  switch (settings.kind) {
    case 's3':
      return settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`;
    case 'gcs':
      return settings.endpoint ?? 'https://storage.googleapis.com';
    case 'azure':
      return azureEndpoint(settings, secrets);
    case 'local':
      return undefined;
  }
}

/** True when a TCP connection to the endpoint's host and port opens within the timeout. */
export function probe(endpoint: string, timeoutMs: number): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return Promise.resolve(false);
  }
  const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function configuredBucket(settings: AccountSettings): string | undefined {
  if (settings.kind === 's3' || settings.kind === 'gcs') return settings.bucket || undefined;
  if (settings.kind === 'azure') return settings.container || undefined;
  return undefined;
}

/** Belt and braces: whatever a message says, no secret value of this account survives in it. */
function scrub(message: string, secrets: SecretValues | undefined): string {
  let out = redact(message);
  for (const v of Object.values(secrets ?? {})) if (v.length >= 4) out = out.split(v).join('[redacted]');
  return out;
}

function explain(e: unknown, settings: AccountSettings, bucket: string | undefined, endpoint: string | undefined): string {
  const name = settings.name;
  const code = e instanceof SkyferryError ? e.code : 'fatal';
  if (settings.kind === 'local') {
    if (code === 'not_found') return `The folder ${settings.root} does not exist: choose another folder`;
    if (code === 'access_denied') return `The folder ${settings.root} cannot be read: check its permissions`;
  }
  if (code === 'not_found' && bucket) return `Bucket ${bucket} does not exist in ${name}`;
  // A profile, the environment or ADC: the provider's message names the identity and what to do (a login command).
  if (code === 'access_denied' && e instanceof SkyferryError && !usesSavedSecrets(settings)) return e.message;
  if (code === 'access_denied') return `The key was rejected by ${name}: check the secret key`;
  if (code === 'cancelled') return `Testing ${name} took too long or was cancelled: check the endpoint and the network`;
  if ((code === 'retryable' || code === 'throttled') && endpoint) {
    return `Could not reach ${displayEndpoint(endpoint)}: check the endpoint and that the service is running`;
  }
  if (e instanceof SkyferryError) return `Could not connect to ${name}: ${e.message}`;
  return `Could not connect to ${name}: an unexpected error occurred; see the log for details`;
}

/**
 * Tries an account without saving it: lists its buckets (or the one bucket it is limited to) and says in plain
 * words what is wrong when that fails. No message ever carries a secret.
 */
export async function testConnection(
  settings: AccountSettings,
  secrets: SecretValues | undefined,
  options: ConnectionTestOptions = {},
): Promise<ConnectionTestResult> {
  const endpoint = endpointOf(settings, secrets);
  const bucket = configuredBucket(settings);
  const fail = (message: string): ConnectionTestResult => ({ ok: false, message: scrub(message, secrets) });
  if (endpoint && !(await probe(endpoint, options.probeTimeoutMs ?? 3000))) {
    return fail(`Could not reach ${displayEndpoint(endpoint)}: check the endpoint and that the service is running`);
  }
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 20_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let provider: Provider | undefined;
  try {
    provider = createProvider(settings, secrets, options.providerOptions);
    if (bucket) {
      await provider.list(bucket, { delimiter: '/', pageSize: 1 }, signal);
      return { ok: true, message: `Connected to ${settings.name}: bucket ${bucket} is reachable`, buckets: 1 };
    }
    const buckets = await provider.listBuckets(signal);
    const noun = settings.kind === 'local' ? 'folder' : settings.kind === 'azure' ? 'container' : 'bucket';
    return { ok: true, message: `Connected to ${settings.name}: ${buckets.length} ${noun}${buckets.length === 1 ? '' : 's'}`, buckets: buckets.length };
  } catch (e) {
    return fail(explain(e, settings, bucket, endpoint));
  } finally {
    await provider?.close?.().catch(() => undefined);
  }
}
