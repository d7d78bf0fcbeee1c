import path from 'node:path';
import type { ChannelName, ChannelRequest, ChannelResponse, EventName, EventPayload } from '../../shared/contract';
import { SkyferryError, type ErrorCode } from '../../shared/errors';
import { createFileKeyCipher, type SecretCipher } from '../engine/accounts/secret-store';
import type { Engine } from '../engine/dispatch';
import { createEngine, type EngineOptions, type EngineParts } from '../engine/engine';
import { lockDataDir, resolveDataDir } from '../host/data-dir';

/** An engine error as the command line reports it: the engine's code and its message (never a stack or a secret). */
export class EngineCallError extends SkyferryError {
  override readonly name = 'EngineCallError';
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * Where an engine keeps its accounts, job journal and plans, and how it seals the saved secrets. The desktop app
 * and a command run by the app's binary (`skyferry` installed with it) use the app's profile and the OS keyring
 * (electron/shell/desktop-store.ts); `npx skyferry` from a checkout uses the served mode's (`servedStore`).
 */
export interface EngineStore {
  /** The data folder, created if needed. */
  dataDir(): Promise<string>;
  /** The secrets' cipher for that folder; asked for once the folder is locked. */
  cipher(dataDir: string): Promise<SecretCipher>;
}

/** The served mode's store: SKYFERRY_DATA_DIR, else ~/.config/skyferry; secrets sealed with its key file. */
export const servedStore: EngineStore = {
  dataDir: () => resolveDataDir(),
  cipher: (dataDir) => createFileKeyCipher(path.join(dataDir, 'secrets.key')),
};

export interface LockedEngine {
  readonly dataDir: string;
  readonly engine: Engine & EngineParts;
  /** Removes the data folder's lock (also removed when the process exits). */
  readonly release: () => void;
}

/**
 * The one way an engine is opened on a store, by the desktop app and by every command alike: the folder is
 * locked for `what` first (a second process on it is refused with DataDirBusyError, before any secret is read),
 * then the engine starts with the store's cipher.
 */
export async function openLockedEngine(store: EngineStore, what: string, options: { background: boolean; entra?: EngineOptions['entra'] }): Promise<LockedEngine> {
  const dataDir = await store.dataDir();
  const release = lockDataDir(dataDir, what);
  try {
    const engine = await createEngine({ dataDir, cipher: await store.cipher(dataDir), background: options.background, ...(options.entra ? { entra: options.entra } : {}) });
    return { dataDir, engine, release };
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * The engine as one command uses it, on the store of whoever runs the command, locked for the command's lifetime
 * so that the app, a served host or a second command cannot write the same files at once.
 */
export interface Session {
  readonly dataDir: string;
  /** One channel of the contract, request checked by the engine like any renderer's; throws EngineCallError. */
  call<C extends ChannelName>(channel: C, request: ChannelRequest<C>): Promise<ChannelResponse<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Stops the engine (running jobs are journaled as they stand and resume later) and releases the folder. */
  close(): Promise<void>;
}

export async function openSession(what: string, store: EngineStore = servedStore): Promise<Session> {
  const { dataDir, engine, release } = await openLockedEngine(store, what, { background: false });
  let closing: Promise<void> | undefined;
  return {
    dataDir,
    async call(channel, request) {
      const result = await engine.invoke(channel, request);
      if (!result.ok) throw new EngineCallError(result.error.code, result.error.message);
      return result.value as ChannelResponse<typeof channel>;
    },
    on(event, listener) {
      return engine.subscribe((name, payload) => {
        if ((name as EventName) === event) (listener as (p: unknown) => void)(payload);
      });
    },
    close() {
      closing ??= engine.close().finally(release);
      return closing;
    },
  };
}
