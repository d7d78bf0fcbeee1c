import type { BlockBlobClient } from '@azure/storage-blob';
import { createLogger } from '../../log';
import { crcCombineHex } from '../crc32c';
import type { ResumePoint, ResumeState } from '../provider';
import { blocksLeftNotice, discardUncommittedBlocks, dropUncommittedBlocks } from './azure.blocks';

const log = createLogger('azure');

/**
 * What a resumable block upload keeps in the journal. Its block ids carry their own CRC32
 * (`<nonce>-<index>-<crc32>`, base64), so the service's uncommitted block list tells which bytes each staged
 * block holds; `blocks` is the count of blocks 0..blocks-1 staged (a contiguous prefix), `crc32` their combined
 * CRC32. Each block was checked by the service against its transactional MD5 when staged.
 */
export interface AzureResumeState extends ResumeState {
  kind: 'azure';
  v: 2;
  nonce: string;
  partSize: number;
  size: number;
  blocks: number;
  crc32?: string;
}

/** In memory only, between prepareResume and put: the ids of the staged prefix, in order. */
export interface AzureResumePointState extends AzureResumeState {
  ids: string[];
}

export function parseAzureResume(state: ResumeState): AzureResumeState | undefined {
  const s = state as Partial<AzureResumeState>;
  const ok =
    s.kind === 'azure' &&
    s.v === 2 &&
    typeof s.nonce === 'string' &&
    /^[0-9a-f]{16}$/.test(s.nonce) &&
    typeof s.partSize === 'number' &&
    typeof s.size === 'number' &&
    typeof s.blocks === 'number' &&
    (s.crc32 === undefined || typeof s.crc32 === 'string');
  return ok ? (s as AzureResumeState) : undefined;
}

/** Same length for every block of a blob: a fixed nonce, a zero-padded index and an 8-digit CRC32. */
export function resumableBlockId(nonce: string, index: number, crc32: string): string {
  return Buffer.from(`${nonce}-${String(index).padStart(6, '0')}-${crc32}`).toString('base64');
}

function parseBlockId(name: string): { nonce: string; index: number; crc32: string } | undefined {
  const text = /^[A-Za-z0-9+/]+=*$/.test(name) ? Buffer.from(name, 'base64').toString() : name;
  const m = /^([0-9a-f]{16})-(\d{6})-([0-9a-f]{8})$/.exec(text);
  return m ? { nonce: m[1] ?? '', index: Number(m[2]), crc32: m[3] ?? '' } : undefined;
}

/** Drops the staged blocks; where a committed blob exists they are left (dropUncommittedBlocks) and said so. */
export async function discardAzureResume(client: BlockBlobClient, state: ResumeState): Promise<string | undefined> {
  if (!parseAzureResume(state)) return undefined;
  const left = await dropUncommittedBlocks(client);
  return left > 0 ? blocksLeftNotice(left) : undefined;
}

/**
 * The uncommitted block list against the recorded state: blocks 0..n-1 of this nonce must all be there, full
 * size, and their CRC32s must combine to the recorded one. Anything else drops what is left (best effort) and
 * answers undefined: the caller starts over. A commit by anyone meanwhile discards uncommitted blocks, so a
 * stale state always ends here.
 */
export async function prepareAzureResume(client: BlockBlobClient, state: ResumeState, size: number, signal?: AbortSignal): Promise<ResumePoint | undefined> {
  const s = parseAzureResume(state);
  if (!s) return undefined;
  const giveUp = async (why: string): Promise<undefined> => {
    log.info(`not resuming the upload of ${client.name}: ${why}; starting over`);
    await discardUncommittedBlocks(client).catch(() => undefined);
    return undefined;
  };
  if (s.size !== size || s.blocks * s.partSize >= size) return giveUp('the object size changed');
  if (s.blocks === 0) return giveUp('no block was staged');
  let list;
  try {
    list = await client.getBlockList('uncommitted', { abortSignal: signal });
  } catch (e) {
    // No blob and no block at all: nothing left to resume.
    if ((e as { statusCode?: unknown } | null)?.statusCode === 404) return giveUp('no staged block is left');
    throw e;
  }
  const staged = new Map<number, { name: string; crc32: string; size: number }>();
  for (const b of list.uncommittedBlocks ?? []) {
    const id = parseBlockId(b.name);
    if (id?.nonce === s.nonce && id.index < s.blocks) staged.set(id.index, { name: resumableBlockId(id.nonce, id.index, id.crc32), crc32: id.crc32, size: b.size });
  }
  const ids: string[] = [];
  let crc: string | undefined;
  for (let i = 0; i < s.blocks; i++) {
    const b = staged.get(i);
    if (!b) return giveUp(`block ${i} is no longer staged`);
    if (b.size !== s.partSize) return giveUp(`block ${i} differs from the one recorded`);
    ids.push(b.name);
    crc = crcCombineHex('crc32', crc, b.crc32, b.size);
  }
  if (crc !== s.crc32) return giveUp('the staged blocks do not match the recorded CRC32');
  const point: AzureResumePointState = { ...s, ids };
  return crc === undefined ? { offset: s.blocks * s.partSize, state: point } : { offset: s.blocks * s.partSize, state: point, crc: { kind: 'crc32', hex: crc } };
}
