import path from 'node:path';
import { safeStorage } from 'electron';
import { createFileKeyCipher, type SecretCipher } from '../engine/accounts/secret-store';
import { createLogger } from '../engine/log';

const log = createLogger('shell.secrets');

export interface CipherChoice {
  cipher: SecretCipher;
  /** Set when secrets are not protected by the OS keyring: the UI should say so. */
  warning: string | null;
}

/**
 * Secrets encrypted with Electron safeStorage (Keychain, DPAPI, libsecret/kwallet). Where the OS offers no keyring
 * (safeStorage unavailable, or Linux's 'basic_text' backend, which is a hard-coded key), fall back to a key file
 * readable by the user alone, as the served mode does, and say so.
 */
export async function chooseSecretCipher(userDataDir: string): Promise<CipherChoice> {
  // This first async call starts the async encryptor (after the app is ready, as main.ts calls it).
  const available = await safeStorage.isAsyncEncryptionAvailable();
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (available && backend !== 'basic_text') {
    return { cipher: safeStorageCipher(backend), warning: null };
  }
  const warning = available
    ? 'No OS keyring was found (Linux basic_text backend): saved secrets are encrypted with a key file in your profile instead.'
    : 'OS secret encryption is not available: saved secrets are encrypted with a key file in your profile instead.';
  log.warn(warning);
  return { cipher: await createFileKeyCipher(path.join(userDataDir, 'secrets.key')), warning };
}

function safeStorageCipher(backend: string): SecretCipher {
  return {
    description: `Electron safeStorage (${backend})`,
    // safeStorage takes strings; base64 carries any bytes through unchanged.
    encrypt: (plain: Buffer) => safeStorage.encryptStringAsync(plain.toString('base64')),
    // Also reads what the synchronous encryptString wrote. `shouldReEncrypt` (a rotated key) needs nothing here:
    // the secrets blob is encrypted afresh, with the current key, each time it is written.
    decrypt: async (sealed: Buffer) => Buffer.from((await safeStorage.decryptStringAsync(sealed)).result, 'base64'),
  };
}
