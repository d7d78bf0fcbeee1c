import { mkdir } from 'node:fs/promises';
import { app } from 'electron';
import type { EngineStore } from '../cli/session';
import { refuseWithoutKeyring } from './keyring-sealed';
import { chooseSecretCipher } from './safe-storage.cipher';

/**
 * The desktop app's store: Electron's userData folder (SKYFERRY_DATA_DIR when set, see main.ts) and secrets sealed
 * by the OS keyring through safeStorage, with the key-file fallback of `chooseSecretCipher`. The app and the
 * `skyferry` command installed with it both open their engine on it, so a command sees the app's accounts.
 * `onWarning` hears the fallback's warning (weaker protection), if any. With `keyringOrNothing` (a command), the
 * fallback is refused when the app's secrets are sealed by the keyring (keyring-sealed.ts).
 */
export function desktopStore(onWarning: (warning: string) => void, options: { keyringOrNothing?: boolean } = {}): EngineStore {
  return {
    async dataDir() {
      const dir = app.getPath('userData');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return dir;
    },
    async cipher(dataDir) {
      const { cipher, warning } = await chooseSecretCipher(dataDir);
      if (warning && options.keyringOrNothing) await refuseWithoutKeyring(dataDir);
      if (warning) onWarning(warning);
      return cipher;
    },
  };
}
