import { BlobSASPermissions, generateBlobSASQueryParameters, type BlobServiceClient, type UserDelegationKey } from '@azure/storage-blob';
import { InvalidInputError } from '../../../../shared/errors';

/** Azure's limit on a user delegation key (and so on a SAS signed with one): seven days from the request. */
export const MAX_DELEGATION_SECONDS = 7 * 24 * 3600;
/** A key is reused while it still covers a link's whole lifetime with this margin; asking for one costs a request. */
const KEY_MARGIN_MS = 5 * 60_000;
/** Allowance for a clock that runs ahead of Azure's. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Read links for an account signed in with Microsoft Entra ID: a user-delegation SAS, signed with a key that Azure
 * hands to the identity (Get User Delegation Key). The identity needs a data role that allows it
 * (Storage Blob Data Reader or above). Links live at most seven days, Azure's cap for such a key.
 */
export function delegationSigner(service: BlobServiceClient, accountName: string) {
  let cached: { key: UserDelegationKey; expires: number } | undefined;

  const keyUntil = async (until: number): Promise<UserDelegationKey> => {
    if (cached && cached.expires >= until + KEY_MARGIN_MS) return cached.key;
    const now = Date.now();
    const expires = Math.min(now + MAX_DELEGATION_SECONDS * 1000 - 60_000, until + KEY_MARGIN_MS);
    const key = await service.getUserDelegationKey(new Date(now - CLOCK_SKEW_MS), new Date(expires));
    cached = { key, expires };
    return key;
  };

  return async (container: string, blob: string, expiresSeconds: number): Promise<string> => {
    if (!(expiresSeconds > 0)) throw new InvalidInputError('A shared link must expire a positive number of seconds from now.');
    const seconds = Math.min(expiresSeconds, MAX_DELEGATION_SECONDS - 120);
    const expiresOn = new Date(Date.now() + seconds * 1000);
    const key = await keyUntil(expiresOn.getTime());
    const sas = generateBlobSASQueryParameters(
      { containerName: container, blobName: blob, permissions: BlobSASPermissions.parse('r'), startsOn: new Date(Date.now() - CLOCK_SKEW_MS), expiresOn },
      key,
      accountName,
    ).toString();
    const client = service.getContainerClient(container).getBlobClient(blob);
    return `${client.url}?${sas}`;
  };
}
