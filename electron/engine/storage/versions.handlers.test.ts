import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BucketVersioning, DeletedObject, ObjectVersion } from '../../../shared/contract';
import { startMinio, type MinioHandle } from '../../../tools/emulators/emulators';
import type { Engine } from '../dispatch';
import { invoker, openTestEngine } from '../test-support/engine-harness';
import { readAll } from '../test-support/conformance/data';

/**
 * The versions channels through the real engine on MinIO. Every delete or overwrite here has a test that would lose
 * data without its guard: a version that is not what the user confirmed, the current version, a copy over an
 * existing object.
 */
let dir: string;
let minio: MinioHandle;
let sdk: S3Client;
let engine: Engine;
const BUCKET = 'versioned';

const { call, failure } = invoker(() => engine);

const write = (key: string, body: string) => sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
const readSdk = async (key: string): Promise<string> => {
  const out = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await readAll(out.Body as Readable)).toString();
};
const sdkVersionIds = async (key: string): Promise<string[]> => {
  const out = await sdk.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: key }));
  return [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].filter((v) => v.Key === key).map((v) => v.VersionId ?? '');
};
const versions = async (key: string) => (await call<{ versions: ObjectVersion[] }>('versions:list', { uri: `s3://minio/${BUCKET}/${key}` })).versions;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'skyferry-versions-'));
  minio = await startMinio();
  sdk = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  engine = await openTestEngine(dir);
  await call('accounts:save', {
    account: { kind: 's3', name: 'minio', endpoint: minio.endpoint, region: minio.region, forcePathStyle: true, checksumMode: 'when_supported', secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } },
  });
  await fs.mkdir(path.join(dir, 'disk', 'downloads'), { recursive: true });
  await call('accounts:save', { account: { kind: 'local', name: 'disk', root: path.join(dir, 'disk') } });
  await call('buckets:create', { account: 'minio', bucket: BUCKET });
}, 300_000);

afterAll(async () => {
  await engine?.close();
  sdk?.destroy();
  await minio?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('versions channels (MinIO)', () => {
  it('shows the bucket settings and turns versioning on', async () => {
    const off = await call<BucketVersioning>('versions:settings', { uri: `s3://minio/${BUCKET}/` });
    expect(off.versioning).toBe('off');
    const on = await call<BucketVersioning>('versions:configure', { uri: `s3://minio/${BUCKET}/`, versioning: 'enabled' });
    expect(on).toMatchObject({ versioning: 'enabled', canSetVersioning: true });
    expect((await failure('versions:configure', { uri: `s3://minio/${BUCKET}/`, softDeleteDays: 7 })).code).toBe('unsupported');
  });

  it('deletes one version only when it is the one confirmed, and never the current one unless asked', async () => {
    for (const body of ['one', 'two!', 'three']) await write('guard.txt', body);
    const [current, middle, oldest] = await versions('guard.txt');
    const uri = `s3://minio/${BUCKET}/guard.txt`;
    const all = await sdkVersionIds('guard.txt');
    // Not the size the user confirmed: refused, nothing removed.
    expect((await failure('versions:remove', { uri, versionId: middle?.versionId, expect: { size: 99 } })).code).toBe('conflict');
    // The current version, not asked for: refused.
    expect((await failure('versions:remove', { uri, versionId: current?.versionId, expect: { size: 5 } })).code).toBe('conflict');
    // A version that is not this object's: refused.
    expect((await failure('versions:remove', { uri, versionId: 'no-such-version', expect: { size: 3 } })).code).toBe('not_found');
    expect(await sdkVersionIds('guard.txt')).toEqual(all);
    await call('versions:remove', { uri, versionId: middle?.versionId, expect: { size: 4 } });
    expect((await versions('guard.txt')).map((v) => v.versionId)).toEqual([current?.versionId, oldest?.versionId]);
    expect(await readSdk('guard.txt')).toBe('three');
  });

  it('restores an older version: its bytes become current, read with the SDK', async () => {
    await write('restore.txt', 'old bytes');
    await write('restore.txt', 'new bytes');
    const old = (await versions('restore.txt'))[1];
    await call('versions:restore', { uri: `s3://minio/${BUCKET}/restore.txt`, versionId: old?.versionId });
    expect(await readSdk('restore.txt')).toBe('old bytes');
    expect(await versions('restore.txt')).toHaveLength(3);
  });

  it('copies a version into a local folder (a download), never over an existing file nor onto its own object', async () => {
    await write('report.txt', 'first draft');
    await write('report.txt', 'final');
    const old = (await versions('report.txt'))[1];
    const uri = `s3://minio/${BUCKET}/report.txt`;
    const { destination } = await call<{ destination: string }>('versions:copy', { uri, versionId: old?.versionId, destination: 'file://disk/downloads/' });
    expect(destination).toMatch(/report \(version .*\)\.txt$/);
    const name = decodeURIComponent(destination.slice(destination.lastIndexOf('/') + 1));
    const file = path.join(dir, 'disk', 'downloads', name);
    expect(await fs.readFile(file, 'utf8')).toBe('first draft');
    // Guard: a second copy to the same place is refused and leaves the file as it is.
    await fs.writeFile(file, 'edited by the user');
    expect((await failure('versions:copy', { uri, versionId: old?.versionId, destination: 'file://disk/downloads/' })).code).toBe('conflict');
    expect(await fs.readFile(file, 'utf8')).toBe('edited by the user');
    // Guard: onto its own object is a restore, refused here; the current bytes stay.
    expect((await failure('versions:copy', { uri, versionId: old?.versionId, destination: uri })).code).toBe('invalid_input');
    expect(await readSdk('report.txt')).toBe('final');
  });

  it('"Show deleted" lists an object behind a delete marker; undelete brings it back', async () => {
    await write('trash/gone.txt', 'was here');
    await write('trash/kept.txt', 'still here');
    await call('jobs:start', { kind: 'delete', sources: [`s3://minio/${BUCKET}/trash/gone.txt`] });
    for (let i = 0; i < 100 && (await sdkVersionIds('trash/gone.txt')).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const { entries } = await call<{ entries: DeletedObject[] }>('versions:deleted', { uri: `s3://minio/${BUCKET}/trash/` });
    expect(entries.map((e) => e.key)).toEqual(['trash/gone.txt']);
    expect(entries[0]).toMatchObject({ size: 8, versions: 1 });
    await call('versions:undelete', { uri: `s3://minio/${BUCKET}/trash/gone.txt` });
    expect(await readSdk('trash/gone.txt')).toBe('was here');
    expect((await call<{ entries: DeletedObject[] }>('versions:deleted', { uri: `s3://minio/${BUCKET}/trash/` })).entries).toEqual([]);
  });

  it('says a local folder keeps no versions', async () => {
    await fs.writeFile(path.join(dir, 'disk', 'downloads', 'plain.txt'), 'x');
    expect((await failure('versions:list', { uri: 'file://disk/downloads/plain.txt' })).code).toBe('unsupported');
  });
});
