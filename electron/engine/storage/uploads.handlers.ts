import { CancelledError, toErrorInfo, UnsupportedError } from '../../../shared/errors';
import type { EngineContext } from '../context';
import type { Handler } from '../dispatch';
import { createLogger } from '../log';
import type { Provider } from '../providers/provider';

const log = createLogger('uploads');

export interface UploadHandlers {
  'uploads:listPending': Handler<'uploads:listPending'>;
  'uploads:abort': Handler<'uploads:abort'>;
}

type PendingCapable = Provider & Required<Pick<Provider, 'listPendingUploads' | 'abortPendingUpload'>>;

function pendingCapable(provider: Provider, account: string): PendingCapable {
  const { listPendingUploads, abortPendingUpload } = provider;
  if (!listPendingUploads || !abortPendingUpload) {
    // Local folders write through a temporary file that is removed on failure: there is nothing to list.
    throw new UnsupportedError(`${account} keeps no unfinished uploads: only S3, Google Cloud Storage and Azure accounts have them`);
  }
  return provider as PendingCapable;
}

/** Oldest first (the ones most likely abandoned); uploads without a start time last, then by key. */
function oldestFirst(a: { key: string; initiated?: string | undefined }, b: { key: string; initiated?: string | undefined }): number {
  if (a.initiated !== b.initiated) {
    if (!a.initiated) return 1;
    if (!b.initiated) return -1;
    return a.initiated < b.initiated ? -1 : 1;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Stale multipart / block uploads: list them per bucket and abort the ones the user picked. */
export function createUploadHandlers(ctx: EngineContext): UploadHandlers {
  return {
    'uploads:listPending': async ({ account, bucket }, { signal }) => {
      const provider = pendingCapable(ctx.providers.get(account), account);
      const uploads = await provider.listPendingUploads(bucket, signal);
      return uploads.map((u) => (u.initiated ? { key: u.key, uploadId: u.uploadId, initiated: u.initiated } : { key: u.key, uploadId: u.uploadId })).sort(oldestFirst);
    },

    'uploads:abort': async ({ account, bucket, uploads }, { signal }) => {
      const provider = pendingCapable(ctx.providers.get(account), account);
      let aborted = 0;
      const failed: Array<{ key: string; uploadId: string; message: string }> = [];
      // One at a time: a few dozen stale uploads at most in practice, and a throttled backend stays calm.
      for (const upload of uploads) {
        if (signal.aborted) throw new CancelledError();
        try {
          await provider.abortPendingUpload(bucket, upload, signal);
          aborted += 1;
        } catch (e) {
          const info = toErrorInfo(e);
          if (info.code === 'cancelled') throw e;
          if (info.code === 'fatal') log.warn(`aborting an upload of ${upload.key} failed`, e);
          failed.push({ key: upload.key, uploadId: upload.uploadId, message: info.message });
        }
      }
      log.info(`aborted ${aborted} unfinished upload(s) in ${account}/${bucket}${failed.length ? `, ${failed.length} failed` : ''}`);
      return { aborted, failed };
    },
  };
}
