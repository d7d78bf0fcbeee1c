import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileKeyCipher, type SecretCipher } from '../engine/accounts/secret-store';
import { DataDirBusyError } from '../host/data-dir';
import { openLockedEngine, openSession, type EngineStore } from './session';

/**
 * The `skyferry` installed with the app opens its engine the way the desktop app does (openLockedEngine on the app's
 * store: its folder and its cipher). Without an Electron binary, the store here is a folder with either the key-file
 * cipher or a stand-in for safeStorage: an account the "desktop" engine saved, secrets included, is what a command sees.
 */
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-session-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A keyring stand-in: AES-GCM with a key held in memory, in safeStorage's "v10" framing. */
function keyringCipher(): SecretCipher & { calls: number } {
  const key = randomBytes(32);
  const cipher = {
    description: 'test keyring',
    calls: 0,
    encrypt(plain: Buffer) {
      cipher.calls++;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Promise.resolve(Buffer.concat([Buffer.from('v10'), iv, c.getAuthTag(), body]));
    },
    decrypt(sealed: Buffer) {
      cipher.calls++;
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(3, 15));
      d.setAuthTag(sealed.subarray(15, 31));
      return Promise.resolve(Buffer.concat([d.update(sealed.subarray(31)), d.final()]));
    },
  };
  return cipher;
}

const storeOf = (cipher: () => Promise<SecretCipher>): EngineStore => ({ dataDir: () => Promise.resolve(dir), cipher });

const account = {
  kind: 's3',
  name: 'work',
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  forcePathStyle: true,
  secrets: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
};

/** What the desktop app does on start: the engine on its store, then an account saved from the Accounts dialog. */
async function desktopSaves(store: EngineStore): Promise<void> {
  const desktop = await openLockedEngine(store, 'the Skyferry app', { background: true });
  try {
    const saved = await desktop.engine.invoke('accounts:save', { account });
    expect(saved.ok).toBe(true);
  } finally {
    await desktop.engine.close();
    desktop.release();
  }
}

async function commandSees(store: EngineStore): Promise<{ name: string; hasSecrets: boolean }[]> {
  const session = await openSession('skyferry accounts', store);
  try {
    const accounts = await session.call('accounts:list', {});
    return accounts.map((a) => ({ name: a.settings.name, hasSecrets: a.hasSecrets }));
  } finally {
    await session.close();
  }
}

describe('a command on the app store', () => {
  it('reads the account the desktop saved, secrets decrypted with the same key-file cipher', async () => {
    const store = storeOf(() => createFileKeyCipher(path.join(dir, 'secrets.key')));
    await desktopSaves(store);
    expect(await commandSees(store)).toContainEqual({ name: 'work', hasSecrets: true });
  });

  it('reads them with an injected cipher (the OS keyring in the app), which both sides use', async () => {
    const keyring = keyringCipher();
    const store = storeOf(() => Promise.resolve(keyring));
    await desktopSaves(store);
    const sealed = await readFile(path.join(dir, 'secrets.bin'));
    expect(sealed.subarray(0, 3).toString()).toBe('v10');
    expect(sealed.includes(Buffer.from('AKIDEXAMPLE'))).toBe(false);
    const before = keyring.calls;
    expect(await commandSees(store)).toContainEqual({ name: 'work', hasSecrets: true });
    expect(keyring.calls).toBeGreaterThan(before);
  });

  it('does not read them with another cipher (the served mode key file): the store decides', async () => {
    const keyring = keyringCipher();
    await desktopSaves(storeOf(() => Promise.resolve(keyring)));
    const other = storeOf(() => createFileKeyCipher(path.join(dir, 'other.key')));
    expect(await commandSees(other)).toContainEqual({ name: 'work', hasSecrets: false });
  });

  it('is refused while the app holds the folder, before any secret is read', async () => {
    const store = storeOf(() => createFileKeyCipher(path.join(dir, 'secrets.key')));
    const desktop = await openLockedEngine(store, 'the Skyferry app', { background: true });
    const lock = path.join(dir, 'skyferry.lock');
    try {
      const holder = JSON.parse(await readFile(lock, 'utf8')) as { pid: number; what: string };
      expect(holder).toMatchObject({ pid: process.pid, what: 'the Skyferry app' });
      // The same lock as another live process (the app) writes it: this process takes its own pid's lock over.
      await writeFile(lock, JSON.stringify({ ...holder, pid: process.ppid }));
      const refused = openSession('skyferry ls', storeOf(() => Promise.reject(new Error('the cipher was asked for'))));
      await expect(refused).rejects.toBeInstanceOf(DataDirBusyError);
      await expect(refused).rejects.toThrow(/the Skyferry app/);
    } finally {
      await desktop.engine.close();
      desktop.release();
    }
  });
});
