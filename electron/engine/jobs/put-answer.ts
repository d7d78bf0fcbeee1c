import type { VerifiedBy } from '../../../shared/contract/jobs.channels';
import { ChecksumMismatchError } from '../../../shared/errors';
import { HASH_KINDS, type Checksums, type HashKind } from '../../../shared/model';
import type { Provider, PutResult } from '../providers/provider';

/**
 * Verification from the put's own answer, without reading the object back. It applies where the answer carries
 * a checksum of the bytes the destination took in: S3's PutObject ETag and flexible checksums and GCS's md5Hash
 * / crc32c are computed by the service on receipt; Azure's whole-blob MD5 is the one its provider computed over
 * exactly the bytes it sent, each block (or the single Put Blob) checked by the service against its transactional
 * MD5. A HEAD after the put would only read back those same values. Returns the kind compared, or undefined
 * when the answer has no checksum in common with what the relay computed (a local folder, an S3 multipart
 * upload without a full-object checksum): the caller then verifies against the stored object.
 * A mismatch throws, as verifyCopy does.
 */
export function verifyFromPut(dst: Provider, put: PutResult, relay: Checksums, source: Checksums, key: string): VerifiedBy | undefined {
  if (dst.kind === 'local') return undefined;
  const kind = HASH_KINDS.find((k) => put.checksums[k] !== undefined && relay[k] !== undefined);
  if (kind === undefined) return undefined;
  const sent = relay[kind]?.toLowerCase();
  const stored = put.checksums[kind]?.toLowerCase();
  if (sent !== stored) {
    throw new ChecksumMismatchError(`${kind.toUpperCase()} differs after copy of ${key}: sent ${sent ?? '?'}, stored ${stored ?? '?'}`);
  }
  return relayOnly(kind, source, relay) ? `${kind}-relay` : kind;
}

/** Said plainly in the report, as verifyCopy does: the source stored no hash the relay could check its read against. */
function relayOnly(kind: HashKind, source: Checksums, relay: Checksums): boolean {
  return source[kind] === undefined && !HASH_KINDS.some((k) => source[k] !== undefined && relay[k] !== undefined);
}
