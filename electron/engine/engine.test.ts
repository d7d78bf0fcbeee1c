import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/contract';
import { startAzurite, startMinio, type AzuriteHandle, type MinioHandle } from '../../tools/emulators/emulators';
import { freePort } from '../../tools/emulators/process';
import { SECRETS_FILE } from './accounts/account-store';
import { createFileKeyCipher } from './accounts/secret-store';
import type { Engine } from './dispatch';
import { createEngine } from './engine';

/**
 * The engine as a renderer drives it: channel names and plain requests through `invoke`, envelopes back. MinIO and
 * Azurite answer for real (wrong keys are real signature failures).
 */
let base: string;
let dataDir: string;
let keyFile: string;
let engine: Engine;
let minio: MinioHandle;
let azurite: AzuriteHandle;

async function call(channel: string, request: unknown): Promise<unknown> {
  const result = await engine.invoke(channel, request);
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function failure(result: Result<unknown>): { code: string; message: string } {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-engine-'));
  dataDir = path.join(base, 'data');
  keyFile = path.join(base, 'keys', 'secrets.key');
  [minio, azurite] = await Promise.all([startMinio(), startAzurite()]);
  engine = await createEngine({ dataDir, cipher: await createFileKeyCipher(keyFile) });
});

afterAll(async () => {
  await engine?.close();
  await Promise.all([minio?.stop(), azurite?.stop()]);
  await rm(base, { recursive: true, force: true });
});

describe('engine: the contract at the door', () => {
  it('refuses an unknown channel', async () => {
    expect(failure(await engine.invoke('fs:readFile', { path: '/etc/passwd' }))).toEqual({
      code: 'invalid_input',
      message: 'Unknown channel "fs:readFile"',
    });
  });

  it('refuses a malformed request as invalid_input, naming the field', async () => {
    const err = failure(await engine.invoke('objects:list', { uri: 42 }));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/^Invalid request for objects:list at uri/);
    expect(failure(await engine.invoke('accounts:save', { account: { kind: 'ftp', name: 'x' } })).code).toBe('invalid_input');
  });

  it('says which account is unknown', async () => {
    expect(failure(await engine.invoke('objects:list', { uri: 's3://nobody/bucket/' }))).toEqual({
      code: 'not_found',
      message: 'There is no account named "nobody": add it in Accounts',
    });
  });
});

describe('engine: a local account', () => {
  let root: string;
  beforeAll(async () => {
    root = path.join(base, 'disk');
    await mkdir(path.join(root, 'docs', 'zeta'), { recursive: true });
    await writeFile(path.join(root, 'docs', 'a.txt'), 'hello');
    await call('accounts:save', { account: { kind: 'local', name: 'disk', root } });
  });

  it('lists folders first, stats a file, makes a folder', async () => {
    expect(await call('buckets:list', { account: 'disk' })).toEqual([{ name: 'docs' }]);
    await call('objects:mkdir', { uri: 'file://disk/docs/new folder' });
    expect((await stat(path.join(root, 'docs', 'new folder'))).isDirectory()).toBe(true);
    const page = (await call('objects:list', { uri: 'file://disk/docs/' })) as { entries: Array<{ key: string; isPrefix: boolean }> };
    expect(page.entries.map((e) => [e.key, e.isPrefix])).toEqual([
      ['new folder/', true],
      ['zeta/', true],
      ['a.txt', false],
    ]);
    expect(await call('objects:stat', { uri: 'file://disk/docs/a.txt' })).toMatchObject({ key: 'a.txt', size: 5, contentType: 'text/plain' });
    expect(await call('accounts:features', { name: 'disk' })).toMatchObject({ serverSideCopy: true, presign: false, setMetadata: false });
  });

  it('refuses what a local folder cannot do, with clear errors', async () => {
    expect(failure(await engine.invoke('objects:presign', { uri: 'file://disk/docs/a.txt', expiresSeconds: 600 })).code).toBe('unsupported');
    expect(failure(await engine.invoke('objects:stat', { uri: 'file://disk/docs/../../etc/passwd' }))).toMatchObject({ code: 'invalid_input' });
    expect(failure(await engine.invoke('objects:list', { uri: 's3://disk/docs/' })).message).toBe('"disk" is a local account: its locations start with file://disk/');
  });

  it('offers the built-in local account for the whole disk', async () => {
    const accounts = (await call('accounts:list', {})) as Array<{ settings: { name: string } }>;
    expect(accounts[0]?.settings.name).toBe('local');
    expect(failure(await engine.invoke('accounts:remove', { name: 'local' })).code).toBe('invalid_input');
    const page = (await call('objects:list', { uri: `file://${path.join(root, 'docs')}/` })) as { entries: Array<{ key: string }> };
    expect(page.entries.map((e) => e.key)).toContain(`${path.relative('/', path.join(root, 'docs')).split('/').slice(1).join('/')}/a.txt`);
  });
});

describe('engine: cloud accounts on emulators', () => {
  const s3Account = () => ({
    kind: 's3',
    name: 'minio',
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    checksumMode: 'when_required',
    secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  });
  const azureAccount = () => ({
    kind: 'azure',
    name: 'azurite',
    auth: 'sharedKey',
    accountName: azurite.accountName,
    endpoint: azurite.endpoint,
    secrets: { accountKey: azurite.accountKey },
  });

  it('adds an S3 account on MinIO, tests it, creates and lists a bucket, presigns', async () => {
    await call('accounts:save', { account: s3Account() });
    expect(await call('accounts:test', { name: 'minio' })).toMatchObject({ ok: true, buckets: 0 });
    await call('buckets:create', { account: 'minio', bucket: 'photos' });
    expect((await call('buckets:list', { account: 'minio' })) as Array<{ name: string }>).toEqual([expect.objectContaining({ name: 'photos' })]);
    await call('objects:mkdir', { uri: 's3://minio/photos/2024' });
    const page = (await call('objects:list', { uri: 's3://minio/photos/' })) as { entries: Array<{ key: string; isPrefix: boolean }> };
    expect(page.entries).toEqual([expect.objectContaining({ key: '2024/', isPrefix: true })]);
    const signed = (await call('objects:presign', { uri: 's3://minio/photos/2024/pic.jpg', expiresSeconds: 600 })) as { url: string; expires: string };
    expect(signed.url).toContain(`${minio.endpoint}/photos/2024/pic.jpg?`);
    expect(Date.parse(signed.expires) - Date.now()).toBeGreaterThan(590_000);
  });

  it('adds an Azure account on Azurite and lists its containers', async () => {
    await call('accounts:save', { account: azureAccount() });
    await call('buckets:create', { account: 'azurite', bucket: 'backups' });
    expect((await call('buckets:list', { account: 'azurite' })) as Array<{ name: string }>).toEqual([expect.objectContaining({ name: 'backups' })]);
    expect(await call('accounts:test', { name: 'azurite' })).toEqual({ ok: true, message: 'Connected to azurite: 1 container', buckets: 1 });
  });

  it('a wrong key gives the clear access-denied message, for S3 and Azure', async () => {
    const wrongS3 = { ...s3Account(), name: 'minio-wrong', secrets: { accessKeyId: minio.accessKeyId, secretAccessKey: 'not-the-secret-1234' } };
    expect(await call('accounts:test', { account: wrongS3 })).toEqual({ ok: false, message: 'The key was rejected by minio-wrong: check the secret key' });
    const wrongAzure = { ...azureAccount(), name: 'azurite-wrong', secrets: { accountKey: Buffer.from('wrong key bytes').toString('base64') } };
    expect(await call('accounts:test', { account: wrongAzure })).toEqual({ ok: false, message: 'The key was rejected by azurite-wrong: check the secret key' });
    // A saved account whose key changes gets a fresh provider: the next call uses the new (wrong) key.
    await call('accounts:save', { account: wrongS3 });
    expect(failure(await engine.invoke('buckets:list', { account: 'minio-wrong' })).code).toBe('access_denied');
    await call('accounts:save', { account: { ...wrongS3, secrets: s3Account().secrets } });
    expect(await call('buckets:list', { account: 'minio-wrong' })).toEqual([expect.objectContaining({ name: 'photos' })]);
    await call('accounts:remove', { name: 'minio-wrong' });
    expect(failure(await engine.invoke('buckets:list', { account: 'minio-wrong' })).code).toBe('not_found');
  });

  it('an unreachable endpoint and a missing bucket give clear messages', async () => {
    const port = await freePort();
    const dead = { ...s3Account(), name: 'dead', endpoint: `http://127.0.0.1:${port}` };
    expect(await call('accounts:test', { account: dead })).toEqual({
      ok: false,
      message: `Could not reach http://127.0.0.1:${port}: check the endpoint and that the service is running`,
    });
    const limited = { ...s3Account(), name: 'limited', bucket: 'no-such-bucket' };
    expect(await call('accounts:test', { account: limited })).toEqual({ ok: false, message: 'Bucket no-such-bucket does not exist in limited' });
  });

  it('never lets a secret out: not in accounts:list, not in clear on disk; the key file is 0600', async () => {
    const listed = JSON.stringify(await call('accounts:list', {}));
    expect(listed).toContain('"hasSecrets":true');
    for (const secret of [minio.secretAccessKey, azurite.accountKey]) {
      expect(listed).not.toContain(secret);
      const onDisk = await readFile(path.join(dataDir, SECRETS_FILE));
      expect(onDisk.includes(Buffer.from(secret))).toBe(false);
      for (const d of await readdir(dataDir, { withFileTypes: true, recursive: true })) {
        if (d.isFile()) expect((await readFile(path.join(d.parentPath, d.name))).includes(Buffer.from(secret))).toBe(false);
      }
    }
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  });

  it('keeps the saved secret on an edit without one, and after a restart', async () => {
    await call('accounts:save', { account: { ...s3Account(), secrets: undefined, region: 'us-east-1' } });
    await engine.close();
    engine = await createEngine({ dataDir, cipher: await createFileKeyCipher(keyFile) });
    expect(await call('buckets:list', { account: 'minio' })).toEqual([expect.objectContaining({ name: 'photos' })]);
  });
});
