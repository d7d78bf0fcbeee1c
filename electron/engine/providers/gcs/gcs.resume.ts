import type { Bucket } from '@google-cloud/storage';
import { createLogger } from '../../log';
import { crc32cCombineHex, crcB64ToHex } from '../crc32c';
import type { ResumePoint, ResumeState } from '../provider';
import { partName, removeTemp, TEMP_FOR_KEY, tempFolder } from './gcs.temp';

const log = createLogger('gcs');

/**
 * What a resumable parallel composite upload keeps in the journal: its temp folder (`.skyferry-upload/<id>/`,
 * parts `p00000`, `p00001`, …), the part size, and the count and combined CRC32C of parts 0..parts-1 stored (a
 * contiguous prefix). GCS computes every object's CRC32C itself, so the stored parts are checked by the service's
 * own values, and the final compose reports the whole object's.
 */
export interface GcsResumeState extends ResumeState {
  kind: 'gcs';
  v: 1;
  id: string;
  partSize: number;
  size: number;
  parts: number;
  crc32c?: string;
}

export function parseGcsResume(state: ResumeState): GcsResumeState | undefined {
  const s = state as Partial<GcsResumeState>;
  const ok =
    s.kind === 'gcs' &&
    s.v === 1 &&
    typeof s.id === 'string' &&
    /^[0-9a-f-]{36}$/.test(s.id) &&
    typeof s.partSize === 'number' &&
    typeof s.size === 'number' &&
    typeof s.parts === 'number' &&
    (s.crc32c === undefined || typeof s.crc32c === 'string');
  return ok ? (s as GcsResumeState) : undefined;
}

async function tempObjects(bucket: Bucket, id: string): Promise<Array<{ name: string; size: number; crc32c?: string; forKey?: string }>> {
  const out: Array<{ name: string; size: number; crc32c?: string; forKey?: string }> = [];
  let pageToken: string | undefined;
  for (let page = 0; page < 100_000; page++) {
    const [files, next] = await bucket.getFiles({ prefix: tempFolder(id), autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    for (const f of files) {
      const m = f.metadata;
      const forKey = m.metadata?.[TEMP_FOR_KEY];
      out.push({ name: f.name, size: Number(m.size ?? -1), ...(m.crc32c ? { crc32c: m.crc32c } : {}), ...(typeof forKey === 'string' ? { forKey } : {}) });
    }
    pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    if (!pageToken) break;
  }
  return out;
}

export async function discardGcsResume(bucket: Bucket, state: ResumeState): Promise<void> {
  const s = parseGcsResume(state);
  if (!s) return;
  await removeTemp(bucket, (await tempObjects(bucket, s.id)).map((o) => o.name));
}

/**
 * The temp folder against the recorded state: parts 0..n-1 must all be there, full size, made for this key, and
 * their CRC32Cs (computed by GCS) must combine to the recorded one. Anything else deletes what is left (best
 * effort) and answers undefined: the caller starts over.
 */
export async function prepareGcsResume(bucket: Bucket, key: string, state: ResumeState, size: number): Promise<ResumePoint | undefined> {
  const s = parseGcsResume(state);
  if (!s) return undefined;
  const objects = await tempObjects(bucket, s.id);
  const giveUp = async (why: string): Promise<undefined> => {
    log.info(`not resuming the upload of ${key}: ${why}; starting over`);
    await removeTemp(bucket, objects.map((o) => o.name)).catch(() => undefined);
    return undefined;
  };
  if (s.size !== size || s.parts * s.partSize >= size) return giveUp('the object size changed');
  if (s.parts === 0) return giveUp('no part was stored');
  const byName = new Map(objects.map((o) => [o.name, o]));
  let crc: string | undefined;
  for (let i = 0; i < s.parts; i++) {
    const o = byName.get(partName(s.id, i));
    if (!o) return giveUp(`part ${i} is no longer stored`);
    if (o.size !== s.partSize || o.forKey !== key || !o.crc32c) return giveUp(`part ${i} differs from the one recorded`);
    crc = crc32cCombineHex(crc, crcB64ToHex(o.crc32c), o.size);
  }
  if (crc !== s.crc32c) return giveUp('the stored parts do not match the recorded CRC32C');
  return crc === undefined ? { offset: s.parts * s.partSize, state: s } : { offset: s.parts * s.partSize, state: s, crc: { kind: 'crc32c', hex: crc } };
}
