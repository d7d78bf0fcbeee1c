import { UnsupportedError } from '../../shared/errors';
import type { Handler } from './dispatch';

export interface DialogHandlers {
  'dialogs:pickFolder': Handler<'dialogs:pickFolder'>;
  'dialogs:pickFiles': Handler<'dialogs:pickFiles'>;
}

/**
 * Native dialogs belong to the desktop shell, which answers these channels before they reach the engine. Whoever
 * does reach the engine is the browser-served mode (or a test): say so, so that the renderer falls back to typed
 * paths and the browser's file input.
 */
export function createDialogHandlers(): DialogHandlers {
  const refuse = (): Promise<never> =>
    Promise.reject(new UnsupportedError('The browser-served mode has no native dialogs: type the full path, or use the browser\'s file picker to upload.'));
  return { 'dialogs:pickFolder': refuse, 'dialogs:pickFiles': refuse };
}
