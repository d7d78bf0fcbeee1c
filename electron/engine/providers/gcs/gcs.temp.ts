import type { Bucket } from '@google-cloud/storage';
import { mapLimit } from '../common/pool';

/**
 * Where a parallel composite upload (gcs.upload.ts) keeps its parts while they go up: temporary objects under this
 * prefix, one folder per upload (`.skyferry-upload/<id>/`, parts `p00000`, `p00001`, …), deleted once composed
 * (or, for a resumable upload given up, by gcs.resume.ts).
 */
export const TEMP_PREFIX = '.skyferry-upload/';
/** The temp objects name their destination here, so that an abandoned upload can be found and explained. */
export const TEMP_FOR_KEY = 'skyferry-upload-for';
/** The temp folder of one upload. */
export const tempFolder = (id: string): string => `${TEMP_PREFIX}${id}/`;
/** Part `i` (from 0) of one upload. */
export const partName = (id: string, i: number): string => `${tempFolder(id)}p${String(i).padStart(5, '0')}`;

/** Deletes temporary objects, 8 at a time, best effort: one left behind is listed among the pending uploads. */
export async function removeTemp(bucket: Bucket, names: readonly string[]): Promise<void> {
  await mapLimit(names, 8, (name) =>
    bucket
      .file(name)
      .delete({ ignoreNotFound: true })
      .then(() => undefined, () => undefined),
  );
}
