import type { ContainerClient } from '@azure/storage-blob';
import { CancelledError, NotFoundError, type SkyferryError } from '../../../../shared/errors';
import { mapLimit } from '../common/pool';
import { ContainerNotFoundError } from './azure.errors';
import type { RemoveManyResult } from '../provider';

/** Azure's limit of sub-requests in one Blob Batch. */
const BATCH_SIZE = 256;
const BATCHES_IN_FLIGHT = 2;
const SINGLE_DELETES_IN_FLIGHT = 16;

type MapError = (e: unknown, key: string) => SkyferryError;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Deletes blobs 256 to a Blob Batch request; a missing blob counts as removed. Where the service or the
 * credential refuses batches as a whole (some SAS scopes), it falls back to bounded parallel single deletes.
 */
export async function removeBlobs(
  container: ContainerClient,
  keys: readonly string[],
  signal: AbortSignal | undefined,
  mapError: MapError,
): Promise<RemoveManyResult> {
  const result: RemoveManyResult = { removed: 0, failed: [] };
  const unique = [...new Set(keys)];
  // The container-scoped batch endpoint also accepts a container SAS; the account one needs account auth.
  const batchClient = container.getBlobBatchClient();
  let batchesWork = true;
  const single = async (key: string): Promise<void> => {
    if (signal?.aborted) throw new CancelledError();
    try {
      await container.getBlobClient(key).delete({ deleteSnapshots: 'include', abortSignal: signal });
      result.removed++;
    } catch (e) {
      if (signal?.aborted) throw new CancelledError();
      const mapped = mapError(e, key);
      // Refused access or a missing container fails every key alike: stop instead of sending thousands.
      if (mapped.code === 'access_denied' || mapped instanceof ContainerNotFoundError) throw mapped;
      if (mapped instanceof NotFoundError && !(mapped instanceof ContainerNotFoundError)) result.removed++;
      else result.failed.push({ key, message: mapped.message });
    }
  };

  await mapLimit(chunk(unique, BATCH_SIZE), BATCHES_IN_FLIGHT, async (group) => {
    if (signal?.aborted) throw new CancelledError();
    if (batchesWork && group.length > 1) {
      try {
        const clients = group.map((k) => container.getBlobClient(k));
        const keyOf = new Map(clients.map((client, i) => [client.url, group[i] ?? '']));
        const res = await batchClient.deleteBlobs(clients, { deleteSnapshots: 'include', abortSignal: signal });
        for (const sub of res.subResponses) {
          const key = keyOf.get(sub._request.url) ?? '';
          if (sub.status >= 200 && sub.status < 300) result.removed++;
          else if (sub.status === 404 && sub.errorCode !== 'ContainerNotFound') result.removed++;
          else result.failed.push({ key, message: mapError({ statusCode: sub.status, code: sub.errorCode, message: sub.errorCode ?? '' }, key).message });
        }
        return;
      } catch (e) {
        if (signal?.aborted) throw new CancelledError();
        if (mapError(e, '') instanceof ContainerNotFoundError) throw mapError(e, '');
        // A SAS may refuse batches but allow single deletes: those decide.
        batchesWork = false;
      }
    }
    await mapLimit(group, SINGLE_DELETES_IN_FLIGHT, single);
  });
  return result;
}
