import type { TokenCredential } from '@azure/identity';
import { StorageManagementClient } from '@azure/arm-storage';
import { z } from 'zod';
import type { EntraStorageAccount, EntraSubscription } from '../../../../shared/contract';
import { AccessDeniedError, CancelledError, InvalidInputError, RetryableError, SkyferryError } from '../../../../shared/errors';
import { redact } from '../../log';
import { ARM_SCOPE } from './azure';

/**
 * What a signed-in identity can see through Azure Resource Manager: its subscriptions, their storage accounts and
 * an account's containers. Listing needs a management role (Reader or above); reading blobs needs a data role,
 * which the blob requests themselves check.
 */
const SUBSCRIPTIONS_API = '2022-12-01';

const SubscriptionPage = z.object({
  value: z.array(z.object({ subscriptionId: z.string(), displayName: z.string().optional(), tenantId: z.string().optional(), state: z.string().optional() })),
  nextLink: z.string().nullish(),
});

/** An ARM failure in words: never the request URL or a token. */
function armError(e: unknown, what: string): SkyferryError {
  if (e instanceof SkyferryError) return e;
  const err = typeof e === 'object' && e !== null ? (e as { statusCode?: unknown; code?: unknown; message?: unknown; name?: unknown }) : {};
  if (err.name === 'AbortError') return new CancelledError();
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const detail = redact(typeof err.message === 'string' ? err.message.split('\n')[0] ?? '' : '').replace(/https?:\/\/\S+/g, '').slice(0, 200);
  if (status === 401 || status === 403) {
    return new AccessDeniedError(`Azure Resource Manager refused to list ${what} (${status}): the identity needs the "Reader" role on the subscription or storage account to list it; you can also type the storage account name.`);
  }
  if (status === undefined) return new RetryableError(`Could not reach Azure Resource Manager to list ${what}: ${detail}`);
  return new RetryableError(`Azure Resource Manager could not list ${what} (${status}): ${detail}`);
}

/** The subscriptions the identity can see (ARM's Subscriptions - List, following nextLink). */
export async function listSubscriptions(credential: TokenCredential, armEndpoint: string, signal: AbortSignal): Promise<EntraSubscription[]> {
  const out: EntraSubscription[] = [];
  let url: string | undefined = `${armEndpoint}/subscriptions?api-version=${SUBSCRIPTIONS_API}`;
  const origin = new URL(armEndpoint).origin;
  try {
    while (url) {
      // A nextLink is followed only on ARM's own host: the token must not go anywhere else.
      if (new URL(url).origin !== origin) throw new InvalidInputError('Azure Resource Manager sent a next page on another host; the listing stopped there.');
      const token = await credential.getToken(ARM_SCOPE, { abortSignal: signal });
      if (!token) throw new AccessDeniedError('No token for Azure Resource Manager');
      const res = await fetch(url, { headers: { authorization: `Bearer ${token.token}`, accept: 'application/json' }, signal });
      if (!res.ok) {
        await res.body?.cancel();
        throw Object.assign(new Error(res.statusText), { statusCode: res.status });
      }
      const page = SubscriptionPage.parse(await res.json());
      for (const s of page.value) if (s.state === undefined || s.state === 'Enabled' || s.state === 'Warned') out.push({ id: s.subscriptionId, name: s.displayName ?? s.subscriptionId, tenantId: s.tenantId });
      url = page.nextLink || undefined;
    }
  } catch (e) {
    throw signal.aborted ? new CancelledError() : armError(e, 'subscriptions');
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function client(credential: TokenCredential, armEndpoint: string, subscriptionId: string): StorageManagementClient {
  return new StorageManagementClient(credential, subscriptionId, { endpoint: armEndpoint, userAgentOptions: { userAgentPrefix: 'skyferry' } });
}

/** The storage accounts of one subscription (Storage Accounts - List, paged by the SDK). */
export async function listStorageAccounts(credential: TokenCredential, armEndpoint: string, subscriptionId: string, signal: AbortSignal): Promise<EntraStorageAccount[]> {
  const out: EntraStorageAccount[] = [];
  try {
    for await (const a of client(credential, armEndpoint, subscriptionId).storageAccounts.list({ abortSignal: signal })) {
      if (!a.id || !a.name) continue;
      out.push({ id: a.id, name: a.name, location: a.location, blobEndpoint: a.primaryEndpoints?.blob });
    }
  } catch (e) {
    throw signal.aborted ? new CancelledError() : armError(e, 'storage accounts');
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const STORAGE_ACCOUNT_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)$/i;

/** The containers of one storage account, by its ARM resource ID (Blob Containers - List). */
export async function listContainers(credential: TokenCredential, armEndpoint: string, storageAccountId: string, signal: AbortSignal): Promise<{ name: string }[]> {
  const m = STORAGE_ACCOUNT_ID.exec(storageAccountId);
  if (!m?.[1] || !m[2] || !m[3]) throw new InvalidInputError('Choose a storage account from the list');
  const out: { name: string }[] = [];
  try {
    for await (const c of client(credential, armEndpoint, m[1]).blobContainers.list(m[2], m[3], { abortSignal: signal })) if (c.name) out.push({ name: c.name });
  } catch (e) {
    throw signal.aborted ? new CancelledError() : armError(e, 'containers');
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
