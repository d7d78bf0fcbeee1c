import type { ChannelRequest } from '../../shared/contract';
import { ClientError, invoke, isDesktop } from './api/client';

/**
 * Whether the app has native open dialogs. Only the desktop shell answers dialogs:*; the engine behind the
 * browser-served mode answers `unsupported`. Asking cannot be done up front (on desktop the question opens a
 * dialog), so the first answer is remembered, and the served mode, whose socket reaches only the engine, starts
 * out without them.
 */
let available: boolean | null = null;

export function nativeDialogsAvailable(): boolean {
  return available ?? isDesktop();
}

async function ask<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ClientError && e.code === 'unsupported') {
      available = false;
      return undefined;
    }
    throw e;
  }
}

/** The folder the user picked; `null` when they cancelled; `undefined` when there is no native dialog. */
export async function pickFolder(request: ChannelRequest<'dialogs:pickFolder'>): Promise<string | null | undefined> {
  return (await ask(() => invoke('dialogs:pickFolder', request)))?.path;
}

/** The paths the user picked (none when they cancelled); `undefined` when there is no native dialog. */
export async function pickFiles(request: ChannelRequest<'dialogs:pickFiles'>): Promise<string[] | undefined> {
  return (await ask(() => invoke('dialogs:pickFiles', request)))?.paths;
}
