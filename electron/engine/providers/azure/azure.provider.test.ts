import http from 'node:http';
import { Readable } from 'node:stream';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, BlobServiceClient, type BlobGetPropertiesResponse, ContainerSASPermissions, StorageSharedKeyCredential, generateAccountSASQueryParameters, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzureSecrets, AzureSettings } from '../../../../shared/accounts';
import { startAzurite, type AzuriteHandle } from '../../../../tools/emulators/emulators';
import { freePort } from '../../../../tools/emulators/process';
import { md5OfPattern, md5OfStream, patternStream, readAll } from '../../test-support/conformance/data';
import { runConformance, type ConformanceFixture } from '../../test-support/conformance/suite';
import { describeFeatures, type MultipartSettings, type Provider } from '../provider';
import { metadataFromProperties } from './azure.metadata';
import { createAzureProvider } from './azure.provider';
import { partsOut } from '../part-pool';

const MIB = 1024 * 1024;
const MULTIPART: MultipartSettings = { thresholdBytes: 6 * MIB, partSizeBytes: 5 * MIB, concurrency: 4 };
let containerSeq = 0;
const freshContainer = (): string => `skyferry-${Date.now().toString(36)}-${containerSeq++}`;

function sdkClient(az: AzuriteHandle): BlobServiceClient {
  return new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(az.accountName, az.accountKey));
}

function keyProvider(az: AzuriteHandle, extra: Partial<AzureSettings> = {}, secrets: AzureSecrets = { accountKey: az.accountKey }): Provider {
  return createAzureProvider(
    { kind: 'azure', name: 'azurite', auth: 'sharedKey', accountName: az.accountName, endpoint: az.endpoint, ...extra },
    secrets,
    { multipart: MULTIPART },
  );
}

/** Blobs that exist only as uncommitted blocks, counted with the SDK (not through the provider under test). */
async function uncommittedOnly(sdk: BlobServiceClient, container: string): Promise<number> {
  const c = sdk.getContainerClient(container);
  const committed = new Set<string>();
  for await (const b of c.listBlobsFlat()) committed.add(b.name);
  let n = 0;
  for await (const b of c.listBlobsFlat({ includeUncommitedBlobs: true })) if (!committed.has(b.name)) n++;
  return n;
}

runConformance('azure (Azurite)', async (): Promise<ConformanceFixture> => {
  const az = await startAzurite();
  const sdk = sdkClient(az);
  const bucket = freshContainer();
  await sdk.createContainer(bucket);
  const provider = keyProvider(az);
  return {
    provider,
    emulator: 'azurite',
    bucket,
    multipart: MULTIPART,
    pendingUploads: () => uncommittedOnly(sdk, bucket),
    readWithSdk: async (key) => sdk.getContainerClient(bucket).getBlobClient(key).downloadToBuffer(),
    keepVersion: async (key) => void (await sdk.getContainerClient(bucket).getBlobClient(key).createSnapshot()),
    teardown: async () => {
      await provider.close?.();
      await az.stop();
    },
  };
});

describe('azure provider: auth, names, errors (Azurite)', () => {
  let az: AzuriteHandle;
  let sdk: BlobServiceClient;
  let bucket: string;
  const put = (p: Provider, key: string, body: string, userMetadata?: Record<string, string>) =>
    p.put(bucket, key, Readable.from([Buffer.from(body)]), { size: Buffer.byteLength(body), userMetadata });
  const read = async (p: Provider, key: string) => (await readAll(await p.open(bucket, key))).toString();

  beforeAll(async () => {
    az = await startAzurite();
    sdk = sdkClient(az);
    bucket = freshContainer();
    await sdk.createContainer(bucket);
  });
  afterAll(async () => {
    await az?.stop();
  });

  it('works with a connection string, and gives an md5 for block-uploaded blobs', async () => {
    const p = createAzureProvider({ kind: 'azure', name: 'cs', auth: 'connectionString' }, { connectionString: az.connectionString }, { multipart: MULTIPART });
    expect(describeFeatures(p).presign).toBe(true);
    const big = Buffer.alloc(7 * MIB, 7);
    const res = await p.put(bucket, 'cs/big.bin', Readable.from([big]), { size: big.length });
    const meta = await p.stat(bucket, 'cs/big.bin');
    expect(meta.checksums.md5).toBe(res.checksums.md5);
    expect(meta.checksums.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(meta.storageClass).toBe('Hot');
  });

  it('blobs read in parallel ranges and put as blocks at once are copied byte-exact, the ranges staged as the blocks', async () => {
    // A range's buffer is staged as the block itself and goes back to the part pool for the next range: two copies
    // at once (one a whole number of blocks, one not) must not see each other's bytes.
    const p = keyProvider(az);
    const sizes = [20 * MIB, 23 * MIB + 5];
    await Promise.all(sizes.map((size, i) => p.put(bucket, `ranged/src-${i}.bin`, patternStream(size, 41 + i), { size })));
    let ranges = 0;
    const parallel = { partBytes: MULTIPART.partSizeBytes, limit: () => 4, onRequest: () => void ranges++ };
    const out = partsOut();
    await Promise.all(
      sizes.map(async (size, i) => {
        const body = await p.open(bucket, `ranged/src-${i}.bin`, { parallel, onMetadata: () => undefined });
        await p.put(bucket, `ranged/copy-${i}.bin`, body, { size, resume: { onCheckpoint: () => undefined } });
      }),
    );
    // Every block after the first of each blob is a ranged GET.
    expect(ranges).toBe(sizes.reduce((n, size) => n + Math.ceil(size / MULTIPART.partSizeBytes) - 1, 0));
    // Every range's buffer came back to the pool once its block was staged (a range copied into a block of its own
    // would be left to the garbage collector, and each next range read into new memory).
    expect(partsOut()).toBe(out);
    for (const [i, size] of sizes.entries()) {
      expect(await md5OfStream(await p.open(bucket, `ranged/copy-${i}.bin`))).toEqual({ size, md5: await md5OfPattern(size, 41 + i) });
    }
    expect(await uncommittedOnly(sdk, bucket)).toBe(0);
  });

  it('works with a container SAS and with an account SAS made from the key; presign is off without a key', async () => {
    const cred = new StorageSharedKeyCredential(az.accountName, az.accountKey);
    const expiresOn = new Date(Date.now() + 3600_000);
    const containerSas = generateBlobSASQueryParameters(
      { containerName: bucket, permissions: ContainerSASPermissions.parse('racwdl'), expiresOn },
      cred,
    ).toString();
    const accountSas = generateAccountSASQueryParameters(
      {
        services: AccountSASServices.parse('b').toString(),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        permissions: AccountSASPermissions.parse('rwdlac'),
        expiresOn,
      },
      cred,
    ).toString();
    for (const [label, sasToken, container] of [
      ['container', containerSas, bucket],
      ['account', `?${accountSas}`, undefined],
    ] as const) {
      const p = createAzureProvider({ kind: 'azure', name: `sas-${label}`, auth: 'sas', endpoint: az.endpoint, container }, { sasToken }, { multipart: MULTIPART });
      expect(describeFeatures(p).presign).toBe(false);
      expect(p.presign).toBeUndefined();
      expect((await p.listBuckets()).map((b) => b.name)).toContain(bucket);
      await put(p, `sas-${label}/a.txt`, 'via sas', { via: label });
      expect(await read(p, `sas-${label}/a.txt`)).toBe('via sas');
      expect((await p.stat(bucket, `sas-${label}/a.txt`)).userMetadata).toEqual({ via: label });
      await p.copy?.({ bucket, key: `sas-${label}/a.txt` }, { bucket, key: `sas-${label}/b.txt` });
      expect(await read(p, `sas-${label}/b.txt`)).toBe('via sas');
      const page = await p.list(bucket, { prefix: `sas-${label}/`, delimiter: '/' });
      expect(page.entries.map((e) => e.name)).toEqual(['a.txt', 'b.txt']);
      const removed = await p.removeMany(bucket, [`sas-${label}/a.txt`, `sas-${label}/b.txt`, `sas-${label}/missing`]);
      expect(removed).toEqual({ removed: 3, failed: [] });
    }
  });

  it('a wrong account key is access_denied, with a message that names no key', async () => {
    const wrongKey = Buffer.alloc(64, 1).toString('base64');
    const p = keyProvider(az, {}, { accountKey: wrongKey });
    const err = await p.listBuckets().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'access_denied' });
    expect((err as Error).message).toContain('The key was rejected: check the account key or SAS');
    expect((err as Error).message).not.toContain(wrongKey);
    await expect(p.stat(bucket, 'anything')).rejects.toMatchObject({ code: 'access_denied' });
  });

  it('a SAS with a bad signature is access_denied and the signature never shows in the message', async () => {
    const sig = 'c2lnbmF0dXJlLXRoYXQtaXMtd3Jvbmc%3D';
    const sasToken = `sv=2021-08-06&ss=b&srt=sco&sp=rl&se=2099-01-01T00:00:00Z&sig=${sig}`;
    const p = createAzureProvider({ kind: 'azure', name: 'badsas', auth: 'sas', endpoint: az.endpoint }, { sasToken });
    const err = await p.list(bucket, { prefix: '' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'access_denied' });
    expect(JSON.stringify({ m: (err as Error).message, c: String((err as Error).cause) })).not.toContain(sig.slice(0, 12));
  });

  it('refuses a metadata name that is not a C# identifier, naming it, on put and on setMetadata', async () => {
    const p = keyProvider(az);
    await expect(put(p, 'meta/bad.txt', 'x', { 'content-owner': 'ada' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('"content-owner"'),
    });
    await expect(p.stat(bucket, 'meta/bad.txt')).rejects.toMatchObject({ code: 'not_found' });
    await put(p, 'meta/good.txt', 'x', { owner: 'ada' });
    await expect(p.setMetadata(bucket, 'meta/good.txt', { userMetadata: { '9lives': 'cat' } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('"9lives"'),
    });
    expect((await p.stat(bucket, 'meta/good.txt')).userMetadata).toEqual({ owner: 'ada' });
  });

  it('keeps the case of metadata names (Node lowercases response headers)', async () => {
    const p = keyProvider(az);
    await put(p, 'meta/case.txt', 'x', { OwnerName: 'Ada', lower_one: 'b' });
    expect((await p.stat(bucket, 'meta/case.txt')).userMetadata).toEqual({ OwnerName: 'Ada', lower_one: 'b' });
  });

  it('changes the access tier and keeps the md5 when headers change', async () => {
    const p = keyProvider(az);
    const first = await put(p, 'tier/t.txt', 'tiered');
    const meta = await p.setMetadata(bucket, 'tier/t.txt', { storageClass: 'cool', contentType: 'text/plain' });
    expect(meta.storageClass).toBe('Cool');
    expect(meta.contentType).toBe('text/plain');
    expect(meta.checksums.md5).toBe(first.checksums.md5);
    await expect(p.setMetadata(bucket, 'tier/t.txt', { storageClass: 'GLACIER' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('finds blocks left by a crashed upload and aborts them, without touching committed blobs', async () => {
    const p = keyProvider(az);
    const c = sdk.getContainerClient(bucket);
    await c.getBlockBlobClient('pending/crashed.bin').stageBlock(Buffer.from('block-0').toString('base64'), Buffer.from('abc'), 3);
    await put(p, 'pending/empty-but-committed', '');
    const pending = await p.listPendingUploads?.(bucket);
    expect(pending?.map((u) => u.key)).toEqual(['pending/crashed.bin']);
    await p.abortPendingUpload?.(bucket, { key: 'pending/crashed.bin', uploadId: '' });
    expect(await p.listPendingUploads?.(bucket)).toEqual([]);
    expect(await uncommittedOnly(sdk, bucket)).toBe(0);
    await expect(p.abortPendingUpload?.(bucket, { key: 'pending/empty-but-committed', uploadId: '' })).rejects.toMatchObject({ code: 'conflict' });
    expect((await p.stat(bucket, 'pending/empty-but-committed')).size).toBe(0);
  });

  it("blocks another tool left (ids of another length) are dropped and the upload tried again; over a committed blob, a conflict that leaves the blob", async () => {
    const p = keyProvider(az);
    const box = freshContainer();
    const c = sdk.getContainerClient(box);
    await c.create();
    // Azure wants every block id of one blob as long as the others: these are longer than any of ours.
    const foreignId = Buffer.from('another-tool-upload-0000000000000000000001').toString('base64');
    const big = Buffer.alloc(7 * MIB, 3);
    const putBig = (key: string) => p.put(box, key, Readable.from([big]), { size: big.length });

    await c.getBlockBlobClient('new.bin').stageBlock(foreignId, Buffer.from('abc'), 3);
    const first = await putBig('new.bin').catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'retryable', message: expect.stringContaining('had left 1 block Azure would not mix with ours. They were dropped') });
    expect(await uncommittedOnly(sdk, box)).toBe(0);
    await putBig('new.bin');
    expect((await readAll(await p.open(box, 'new.bin'))).equals(big)).toBe(true);

    await p.put(box, 'old.bin', Readable.from([Buffer.from('previous')]), { size: 8 });
    await c.getBlockBlobClient('old.bin').stageBlock(foreignId, Buffer.from('abc'), 3);
    const refused = await putBig('old.bin').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'conflict', message: expect.stringContaining('holds 1 block of another tool') });
    expect((refused as Error).message).not.toMatch(/https?:|sig=/);
    expect((await readAll(await p.open(box, 'old.bin'))).toString()).toBe('previous');
    expect((await c.getBlockBlobClient('old.bin').getBlockList('uncommitted')).uncommittedBlocks?.map((b) => b.name)).toEqual([foreignId]);
  });

  it('a missing container is not_found and names the container', async () => {
    const p = keyProvider(az);
    await expect(p.list('skyferry-missing-box', { prefix: '' })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('"skyferry-missing-box"'),
    });
    await expect(p.stat('skyferry-missing-box', 'a.txt')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('"skyferry-missing-box"'),
    });
    await expect(p.createBucket('Bad_Name')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('an unreachable endpoint is retryable and names the endpoint', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}/devstoreaccount1`;
    const p = keyProvider(az, { endpoint });
    const started = Date.now();
    const err = await p.listBuckets().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'retryable' });
    expect((err as Error).message).toContain(endpoint);
    expect((err as Error).message).toContain('connection refused');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a busy server is throttled with its Retry-After; a 500 is retryable; neither message shows a URL', async () => {
    let status = 503;
    const server = http.createServer((_req, res) => {
      res.writeHead(status, status === 503 ? { 'Retry-After': '2', 'x-ms-error-code': 'ServerBusy' } : { 'x-ms-error-code': 'InternalError' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const p = keyProvider(az, { endpoint: `http://127.0.0.1:${port}/devstoreaccount1` });
      const busy = await p.stat('busybox', 'k').catch((e: unknown) => e);
      expect(busy).toMatchObject({ code: 'throttled', retryAfterMs: 2000 });
      status = 500;
      const broken = await p.stat('busybox', 'k').catch((e: unknown) => e);
      expect(broken).toMatchObject({ code: 'retryable' });
      expect(`${(busy as Error).message} ${(broken as Error).message}`).not.toContain('http://');
    } finally {
      server.close();
    }
  });

  it('refuses incomplete or malformed credentials clearly', () => {
    const base = { kind: 'azure' as const, name: 'x', endpoint: az.endpoint };
    expect(() => createAzureProvider({ ...base, auth: 'sharedKey', accountName: 'a' }, {})).toThrow(/account key/);
    expect(() => createAzureProvider({ ...base, auth: 'sharedKey' }, { accountKey: az.accountKey })).toThrow(/account name/);
    expect(() => createAzureProvider({ ...base, auth: 'sas' }, {})).toThrow(/SAS token/);
    expect(() => createAzureProvider({ ...base, auth: 'sas' }, { sasToken: 'sv=2021&sp=r' })).toThrow(/sig=/);
    expect(() => createAzureProvider({ ...base, auth: 'connectionString' }, {})).toThrow(/connection string/);
    const malformed = 'AccountName=a;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;NotAThing';
    let message = '';
    try {
      createAzureProvider({ ...base, auth: 'connectionString' }, { connectionString: malformed });
    } catch (e) {
      message = (e as Error).message;
      expect(e).toMatchObject({ code: 'invalid_input' });
    }
    expect(message).toMatch(/malformed/);
    expect(message).not.toContain('c2VjcmV0');
  });
});

describe('azure metadata: a blob leaving Archive (Azurite re-tiers at once, so read from the properties Azure answers)', () => {
  it('reports the tier the rehydration goes to beside the tier it is still in', () => {
    const meta = metadataFromProperties('k', { accessTier: 'Archive', archiveStatus: 'rehydrate-pending-to-cool', contentLength: 3 } as BlobGetPropertiesResponse);
    expect(meta).toMatchObject({ storageClass: 'Archive', pendingStorageClass: 'Cool', size: 3 });
    expect(metadataFromProperties('k', { accessTier: 'Hot' } as BlobGetPropertiesResponse).pendingStorageClass).toBeUndefined();
  });
});
