import { open } from 'node:fs/promises';
import path from 'node:path';
import { FatalError } from '../../shared/errors';
import { SECRETS_FILE } from '../engine/accounts/account-store';

/**
 * True when the profile's saved secrets were sealed by Electron safeStorage (the OS keyring), whose blobs begin with
 * its version tag (`v10`, `v11`: `v` and two digits) on every OS; the key-file cipher's begin with the byte 1.
 * False without secrets.
 */
export async function secretsSealedByKeyring(dataDir: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path.join(dataDir, SECRETS_FILE), 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  try {
    const head = Buffer.alloc(3);
    const { bytesRead } = await fh.read(head, 0, 3, 0);
    return bytesRead === 3 && /^v\d\d$/.test(head.toString('latin1'));
  } finally {
    await fh.close();
  }
}

/**
 * A command that cannot reach the OS keyring (over ssh, in cron without a desktop session) must not open the app's
 * profile with the key-file fallback: the app's secrets would not decrypt, and the account store would set them
 * aside. It stops instead, with what to do.
 */
export async function refuseWithoutKeyring(dataDir: string): Promise<void> {
  if (await secretsSealedByKeyring(dataDir)) {
    throw new FatalError(
      "The app's saved secrets are sealed by the OS keyring, which this session cannot reach (no desktop session, or the keyring is locked). " +
        'Run the command in your desktop session, or unlock the keyring, and try again. Nothing was changed.',
    );
  }
}
