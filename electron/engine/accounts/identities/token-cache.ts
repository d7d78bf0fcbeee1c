import { readFile } from 'node:fs/promises';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { writeFileAtomic } from '../../atomic-write';
import { createLogger } from '../../log';
import type { SecretCipher } from '../secret-store';

const log = createLogger('entra.cache');

/** What the sealed file holds: MSAL's serialized cache of each identity (kind + tenant), by identity. */
interface CacheFile {
  version: 1;
  partitions: Record<string, string>;
}

export interface SealedTokenCache {
  /** MSAL's cache plugin for one identity's partition of the file. */
  plugin(partition: string): ICachePlugin;
  /** Resolves when every change made so far is on disk. */
  flush(): Promise<void>;
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * MSAL's token cache (accounts, refresh and access tokens) kept across restarts in one file sealed by the engine's
 * SecretCipher: Electron safeStorage (the OS keychain) on the desktop, the key file in the served mode. It is read
 * once and then kept in memory; each change is sealed and written whole, atomically, one write at a time. A file
 * that cannot be opened (another machine's keychain, a damaged file) is set aside: the user signs in again.
 */
export function sealedTokenCache(file: string, cipher: SecretCipher): SealedTokenCache {
  let loaded: Promise<CacheFile> | undefined;
  let writes: Promise<void> = Promise.resolve();

  const load = (): Promise<CacheFile> => {
    loaded ??= (async (): Promise<CacheFile> => {
      let sealed: Buffer;
      try {
        sealed = await readFile(file);
      } catch (e) {
        if (errno(e) === 'ENOENT') return { version: 1, partitions: {} };
        throw e;
      }
      try {
        const parsed = JSON.parse((await cipher.decrypt(sealed)).toString('utf8')) as Partial<CacheFile>;
        if (parsed.version !== 1 || typeof parsed.partitions !== 'object' || parsed.partitions === null) throw new Error('unknown format');
        return { version: 1, partitions: parsed.partitions };
      } catch (e) {
        log.warn(`the saved Microsoft Entra sign-ins in ${file} could not be opened; they will be asked for again`, e instanceof Error ? e.message : e);
        return { version: 1, partitions: {} };
      }
    })();
    return loaded;
  };

  const save = (state: CacheFile): Promise<void> => {
    const write = writes.then(async () => writeFileAtomic(file, await cipher.encrypt(Buffer.from(JSON.stringify(state), 'utf8'))));
    writes = write.catch((e: unknown) => log.warn(`the Microsoft Entra sign-ins could not be saved to ${file}`, e instanceof Error ? e.message : e));
    return writes;
  };

  return {
    plugin: (partition) => ({
      async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
        const state = await load();
        const saved = state.partitions[partition];
        if (saved) context.tokenCache.deserialize(saved);
      },
      async afterCacheAccess(context: TokenCacheContext): Promise<void> {
        if (!context.cacheHasChanged) return;
        const state = await load();
        state.partitions[partition] = context.tokenCache.serialize();
        await save(state);
      },
    }),
    flush: () => writes,
  };
}
