import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CRC32C, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../tools/emulators/process';
import { startFakeGcs, type FakeGcsHandle } from '../../../../tools/emulators/emulators';
import type { GcsSettings } from '../../../../shared/accounts';
import { runConformance } from '../../test-support/conformance/suite';
import { readAll } from '../../test-support/conformance/data';
import { emulatorQuirk } from '../../test-support/conformance/quirks';
import { itUnless } from '../../test-support/conformance/skip';
import { describeFeatures, type MultipartSettings, type Provider } from '../provider';
import { toGcsError } from './gcs.errors';
import { createGcsProvider } from './gcs.provider';

const MiB = 1024 * 1024;
// Composite parts are plain objects, so any part size works; 5 MiB is also a multiple of the 256 KiB resumable unit.
const MULTIPART: MultipartSettings = { thresholdBytes: 6 * MiB, partSizeBytes: 5 * MiB, concurrency: 4 };

/** A throw-away service account: fake-gcs checks no signature, but the SDK needs a real RSA key to sign URLs. */
function testServiceAccountJson(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return JSON.stringify({ type: 'service_account', project_id: 'skyferry-test', client_email: 'skyferry-test@skyferry-test.iam.gserviceaccount.com', private_key: privateKey });
}

function settings(endpoint: string | undefined, projectId = 'skyferry-test'): GcsSettings {
  return { kind: 'gcs', name: 'fake', projectId, endpoint, bucket: undefined };
}

const bucketName = (): string => `skyferry-${randomBytes(4).toString('hex')}`;

runConformance(
  'gcs (fake-gcs-server)',
  async () => {
    // The memory backend: the filesystem one cannot store a folder marker (a name ending in '/').
    const gcs = await startFakeGcs({ backend: 'memory' });
    const provider = createGcsProvider(settings(gcs.endpoint, gcs.projectId), { serviceAccountJson: testServiceAccountJson() }, { multipart: MULTIPART });
    const bucket = bucketName();
    await provider.createBucket(bucket);
    const sdk = new Storage({ apiEndpoint: gcs.endpoint, projectId: gcs.projectId });
    return {
      provider,
      emulator: 'fake-gcs-server',
      bucket,
      multipart: MULTIPART,
      pendingUploads: async () => (await provider.listPendingUploads?.(bucket))?.length ?? 0,
      readWithSdk: async (key) => (await sdk.bucket(bucket).file(key).download())[0],
      teardown: async () => {
        await provider.close?.();
        await gcs.stop();
      },
    };
  },
);

describe('gcs provider on fake-gcs-server: what is particular to GCS', () => {
  let gcs: FakeGcsHandle;
  let p: Provider;
  let bucket: string;
  beforeAll(async () => {
    gcs = await startFakeGcs({ backend: 'memory' });
    p = createGcsProvider(settings(gcs.endpoint, gcs.projectId), {}, { multipart: MULTIPART });
    bucket = bucketName();
    await p.createBucket(bucket);
  });
  afterAll(async () => {
    await p?.close?.();
    await gcs?.stop();
  });

  const put = (key: string, body: Buffer, storageClass?: string) =>
    p.put(bucket, key, Readable.from([body]), { size: body.length, ...(storageClass ? { storageClass } : {}) });

  it('reports md5 and crc32c as lowercase hex, and the generation as the version', async () => {
    const body = Buffer.from('checksum me');
    const result = await put('sums.txt', body);
    const meta = await p.stat(bucket, 'sums.txt');
    expect(meta.checksums.md5).toBe(createHash('md5').update(body).digest('hex'));
    const crc = new CRC32C();
    crc.update(body);
    expect(meta.checksums.crc32c).toBe(crc.toBuffer().toString('hex'));
    expect(result.checksums).toEqual(meta.checksums);
    expect(meta.version).toMatch(/^\d+$/);
    expect(result.version).toBe(meta.version);
  });

  it('a multipart put leaves no temporary parts behind and keeps its metadata', async () => {
    const body = randomBytes(MULTIPART.thresholdBytes + 3 * MULTIPART.partSizeBytes + 17);
    await p.put(bucket, 'parts/big.bin', Readable.from([body]), { size: body.length, contentType: 'application/x-test', userMetadata: { who: 'ada' } });
    const meta = await p.stat(bucket, 'parts/big.bin');
    expect(meta.size).toBe(body.length);
    expect(meta.contentType).toBe('application/x-test');
    expect(meta.userMetadata).toEqual({ who: 'ada' });
    expect((await readAll(await p.open(bucket, 'parts/big.bin'))).equals(body)).toBe(true);
    expect(await p.listPendingUploads?.(bucket)).toEqual([]);
    const top = await p.list(bucket, { prefix: '', delimiter: '/' });
    expect(top.entries.map((e) => e.key)).not.toContain('.skyferry-upload/');
  });

  it('changes content type, cache control and user metadata in place and keeps the bytes', async () => {
    await p.put(bucket, 'edit.txt', Readable.from([Buffer.from('keep me')]), { size: 7, contentType: 'text/plain', userMetadata: { a: '1' } });
    const updated = await p.setMetadata(bucket, 'edit.txt', { contentType: 'text/markdown', cacheControl: 'no-cache', contentDisposition: 'attachment', userMetadata: { b: '2' } });
    expect(updated).toMatchObject({ contentType: 'text/markdown', cacheControl: 'no-cache', contentDisposition: 'attachment', size: 7 });
    expect(updated.userMetadata.b).toBe('2');
    // Real GCS drops `a`; fake-gcs-server leaves it as '' (see the skipped conformance case).
    expect(updated.userMetadata.a ?? '').toBe('');
    expect((await readAll(await p.open(bucket, 'edit.txt'))).toString()).toBe('keep me');
  });

  it('stores the storage class given at upload', async () => {
    await put('nearline.txt', Buffer.from('n'), 'NEARLINE');
    expect((await p.stat(bucket, 'nearline.txt')).storageClass).toBe('NEARLINE');
  });

  itUnless('changes the storage class with a rewrite and keeps bytes and metadata', () => emulatorQuirk('fake-gcs-server', 'storageClassRewrite'), async () => {
    await p.put(bucket, 'cold.txt', Readable.from([Buffer.from('cold')]), { size: 4, contentType: 'text/plain', userMetadata: { a: '1' } });
    const updated = await p.setMetadata(bucket, 'cold.txt', { storageClass: 'COLDLINE' });
    expect(updated.storageClass).toBe('COLDLINE');
    expect(updated.contentType).toBe('text/plain');
    expect(updated.userMetadata).toEqual({ a: '1' });
    expect((await readAll(await p.open(bucket, 'cold.txt'))).toString()).toBe('cold');
  });

  it('a server-side copy reports the new object\'s checksums and generation', async () => {
    const body = Buffer.from('copied bytes');
    const src = await put('copy-src.txt', body);
    const copied = await p.copy?.({ bucket, key: 'copy-src.txt' }, { bucket, key: 'copy-dst.txt' }, { metadata: { contentType: 'text/x-copied' } });
    expect(copied?.checksums).toEqual(src.checksums);
    expect(copied?.version).toBe((await p.stat(bucket, 'copy-dst.txt')).version);
    expect((await p.stat(bucket, 'copy-dst.txt')).contentType).toBe('text/x-copied');
  });

  it('has no presign without a private key', () => {
    expect(describeFeatures(p).presign).toBe(false);
    expect(p.features.hashes).toEqual(['md5', 'crc32c']);
  });

  it('an unreachable endpoint is retryable and names the endpoint', async () => {
    const port = await freePort();
    const dead = createGcsProvider(settings(`http://127.0.0.1:${port}`), {});
    const err: unknown = await dead.listBuckets().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'retryable' });
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toMatch(/connection refused/);
  });

  it('malformed service-account JSON is invalid input and never echoed', () => {
    const secret = '{"private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA';
    let err: unknown;
    try {
      createGcsProvider(settings(undefined), { serviceAccountJson: secret });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'invalid_input' });
    expect((err as Error).message).toMatch(/not valid JSON/);
    expect((err as Error).message).not.toContain('PRIVATE KEY');
    expect(() => createGcsProvider(settings(undefined), { serviceAccountJson: '{"client_email":"a@b.c"}' })).toThrow(/lacks client_email or private_key/);
    expect(() => createGcsProvider(settings(undefined), {})).toThrow(/service-account key/);
  });

  it('maps HTTP failures: 403 to access_denied, 429/503 to throttled with Retry-After, 500 to retryable', () => {
    const c = { what: 'gs://fake/b/k', endpoint: 'http://x' };
    const denied = toGcsError({ code: 403, message: 'Forbidden' }, c);
    expect(denied.code).toBe('access_denied');
    expect(denied.message).toMatch(/check the service-account key/);
    const slow = toGcsError({ code: 429, message: 'slow down', response: { headers: { 'retry-after': '7' } } }, c);
    expect(slow).toMatchObject({ code: 'throttled', retryAfterMs: 7000 });
    expect(toGcsError({ code: 503, message: 'busy' }, c).code).toBe('throttled');
    expect(toGcsError({ code: 500, message: 'oops' }, c).code).toBe('retryable');
    expect(toGcsError({ code: 409, message: 'not empty' }, { ...c, bucketDelete: true }).code).toBe('conflict');
    expect(toGcsError({ code: 418, message: 'teapot' }, c).code).toBe('fatal');
  });
});
