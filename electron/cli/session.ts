import path from 'node:path';
import type { ChannelName, ChannelRequest, ChannelResponse, EventName, EventPayload } from '../../shared/contract';
import { SkyferryError, type ErrorCode } from '../../shared/errors';
import { createFileKeyCipher } from '../engine/accounts/secret-store';
import type { Engine } from '../engine/dispatch';
import { createEngine } from '../engine/engine';
import { lockDataDir, resolveDataDir } from '../host/data-dir';

/** An engine error as the command line reports it: the engine's code and its message (never a stack or a secret). */
export class EngineCallError extends SkyferryError {
  override readonly name = 'EngineCallError';
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * The engine as one command uses it: the same data folder, account store and job journal as the served mode
 * (SKYFERRY_DATA_DIR, else ~/.config/skyferry; secrets sealed with its key file), locked for the command's
 * lifetime so that a served host or a second command cannot write the same files at once.
 */
export interface Session {
  readonly dataDir: string;
  /** One channel of the contract, request checked by the engine like any renderer's; throws EngineCallError. */
  call<C extends ChannelName>(channel: C, request: ChannelRequest<C>): Promise<ChannelResponse<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Stops the engine (running jobs are journaled as they stand and resume later) and releases the folder. */
  close(): Promise<void>;
}

export async function openSession(what: string): Promise<Session> {
  const dataDir = await resolveDataDir();
  const release = lockDataDir(dataDir, what);
  let engine: Engine;
  try {
    engine = await createEngine({ dataDir, cipher: await createFileKeyCipher(path.join(dataDir, 'secrets.key')), background: false });
  } catch (e) {
    release();
    throw e;
  }
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
