import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileKeyCipher } from '../engine/accounts/secret-store';
import { refuseWithoutKeyring, secretsSealedByKeyring } from './keyring-sealed';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-keyring-sealed-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a command without the OS keyring', () => {
  it('stops on secrets the keyring sealed (safeStorage v10/v11), and leaves the file as it was', async () => {
    const sealed = Buffer.concat([Buffer.from('v11'), Buffer.alloc(40, 7)]);
    await writeFile(path.join(dir, 'secrets.bin'), sealed);
    expect(await secretsSealedByKeyring(dir)).toBe(true);
    await expect(refuseWithoutKeyring(dir)).rejects.toThrow(/sealed by the OS keyring.*Nothing was changed/);
  });

  it('goes on with no secrets yet, or with secrets the key file sealed', async () => {
    await expect(refuseWithoutKeyring(dir)).resolves.toBeUndefined();
    const cipher = await createFileKeyCipher(path.join(dir, 'secrets.key'));
    await writeFile(path.join(dir, 'secrets.bin'), await cipher.encrypt(Buffer.from('{}')));
    expect(await secretsSealedByKeyring(dir)).toBe(false);
    await expect(refuseWithoutKeyring(dir)).resolves.toBeUndefined();
  });
});
