/** Values as the services spell them, turned into the model's spelling. */

/** An ETag without its quotes (and weak marker): listings, headers and SDKs disagree on them; the model has none. */
export function unquoteEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/^"|"$/g, '') || undefined;
}

/** A hash the service sends as base64 (Content-MD5, x-amz-checksum-*, GCS md5Hash and crc32c), as lowercase hex. */
export function base64ToHex(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return Buffer.from(value, 'base64').toString('hex') || undefined;
}
