import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tools/emulators/process';
import { openAccountStore, ACCOUNTS_FILE, SECRETS_FILE } from './account-store';
import { createFileKeyCipher, type SecretCipher } from './secret-store';
import { testConnection } from './test-connection';

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const S3_INPUT = {
  kind: 's3' as const,
  name: 'prod',
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  checksumMode: 'when_required' as const,
  secrets: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET },
};

let base: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'skyferry-accounts-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('file-key cipher', () => {
  it('creates a 0600 key in a 0700 folder, and a second start reads the same key', async () => {
    const keyFile = path.join(base, 'keys', 'secrets.key');
    const first = await createFileKeyCipher(keyFile);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(keyFile))).mode & 0o777).toBe(0o700);
    const sealed = await first.encrypt(Buffer.from('hello secret'));
    expect(sealed.includes(Buffer.from('hello secret'))).toBe(false);
    const second = await createFileKeyCipher(keyFile);
    expect((await second.decrypt(sealed)).toString()).toBe('hello secret');
    expect(second.description).not.toContain((await readFile(keyFile)).toString('hex'));
  });

  it('refuses a key file that other users can read, saying how to fix it', async () => {
    const keyFile = path.join(base, 'open', 'secrets.key');
    await createFileKeyCipher(keyFile);
    await chmod(keyFile, 0o644);
    await expect(createFileKeyCipher(keyFile)).rejects.toThrow(/can be read or changed by other users \(mode 644\).*chmod 600/);
  });

  it('reports tampered data or another key clearly', async () => {
    const a = await createFileKeyCipher(path.join(base, 'a', 'k'));
    const b = await createFileKeyCipher(path.join(base, 'b', 'k'));
    const sealed = await a.encrypt(Buffer.from('x'));
    await expect(b.decrypt(sealed)).rejects.toThrow(/could not be decrypted with the key in .*: the key file was replaced or the secrets file is damaged/);
  });
});

describe('account store', () => {
  let dataDir: string;
  let cipher: SecretCipher;
  beforeAll(async () => {
    dataDir = path.join(base, 'store');
    cipher = await createFileKeyCipher(path.join(dataDir, 'secrets.key'));
  });

  it('always has the built-in local account, which cannot be changed or removed', async () => {
    const store = await openAccountStore(dataDir, cipher);
    expect(store.list()[0]).toEqual({ settings: { kind: 'local', name: 'local', root: '/' }, hasSecrets: false });
    await expect(store.remove('local')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/built-in/) });
    await expect(store.save({ kind: 'local', name: 'local', root: '/tmp' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('saves settings in clear and secrets encrypted, and reads both back after a restart', async () => {
    const store = await openAccountStore(dataDir, cipher);
    const saved = await store.save(S3_INPUT);
    expect(saved).toEqual({ settings: { ...S3_INPUT, secrets: undefined }, hasSecrets: true });
    const accountsJson = await readFile(path.join(dataDir, ACCOUNTS_FILE), 'utf8');
    expect(accountsJson).toContain('"prod"');
    expect(accountsJson).not.toContain(SECRET);
    expect(accountsJson).not.toContain('AKIAEXAMPLE');
    const secretsBin = await readFile(path.join(dataDir, SECRETS_FILE));
    expect(secretsBin.includes(Buffer.from(SECRET))).toBe(false);
    expect((await stat(path.join(dataDir, SECRETS_FILE))).mode & 0o777).toBe(0o600);
    // No temp file is left behind by the atomic writes.
    expect((await readdir(dataDir)).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const reopened = await openAccountStore(dataDir, cipher);
    expect(reopened.get('prod')?.secrets).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET });
    expect(JSON.stringify(reopened.list())).not.toContain(SECRET);
  });

  it('keeps saved secrets on an edit without new ones, and moves them on a rename', async () => {
    const store = await openAccountStore(dataDir, cipher);
    const changes: string[] = [];
    store.onChange((n) => changes.push(n));
    await store.save({ ...S3_INPUT, region: 'eu-west-1', secrets: undefined });
    expect(store.get('prod')).toMatchObject({ settings: { region: 'eu-west-1' }, secrets: { secretAccessKey: SECRET } });
    await store.save({ ...S3_INPUT, name: 'production', secrets: undefined }, 'prod');
    expect(store.get('prod')).toBeUndefined();
    expect(store.get('production')?.secrets?.secretAccessKey).toBe(SECRET);
    expect(changes).toEqual(['prod', 'prod', 'production']);
    await store.save({ ...S3_INPUT, name: 'other' });
    await expect(store.save({ ...S3_INPUT, name: 'other' }, 'production')).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.save({ ...S3_INPUT, name: 'x' }, 'missing')).rejects.toMatchObject({ code: 'not_found' });
    await store.remove('other');
    expect(store.list().map((a) => a.settings.name)).toEqual(['local', 'production']);
    await expect(store.remove('other')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('starts without secrets (kept aside, not deleted) when the secrets file cannot be decrypted', async () => {
    const other = await createFileKeyCipher(path.join(base, 'other-key', 'k'));
    const store = await openAccountStore(dataDir, other);
    expect(store.list().find((a) => a.settings.name === 'production')).toMatchObject({ hasSecrets: false });
    expect((await readdir(dataDir)).some((f) => f.startsWith(`${SECRETS_FILE}.unreadable-`))).toBe(true);
  });

  it('skips a damaged accounts file instead of failing to start', async () => {
    const dir = path.join(base, 'damaged');
    await mkdir(dir);
    await writeFile(path.join(dir, ACCOUNTS_FILE), '{ not json');
    const store = await openAccountStore(dir, cipher);
    expect(store.list().map((a) => a.settings.name)).toEqual(['local']);
  });
});

describe('test connection (no emulator)', () => {
  it('says an unreachable endpoint cannot be reached, quickly, without the secret', async () => {
    const port = await freePort();
    const started = Date.now();
    const endpoint = `http://127.0.0.1:${port}`;
    const { secrets, ...settings } = { ...S3_INPUT, endpoint };
    const result = await testConnection(settings, secrets);
    expect(result).toEqual({ ok: false, message: `Could not reach ${endpoint}: check the endpoint and that the service is running` });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('checks a local folder', async () => {
    const folder = path.join(base, 'local-root');
    await mkdir(path.join(folder, 'photos'), { recursive: true });
    expect(await testConnection({ kind: 'local', name: 'disk', root: folder }, undefined)).toEqual({ ok: true, message: 'Connected to disk: 1 folder', buckets: 1 });
    expect(await testConnection({ kind: 'local', name: 'disk', root: path.join(folder, 'nope') }, undefined)).toMatchObject({
      ok: false,
      message: `The folder ${path.join(folder, 'nope')} does not exist: choose another folder`,
    });
  });
});
