import { dialog, type BrowserWindow } from 'electron';
import type { Handler } from '../engine/dispatch';
import { pickedFiles, pickedFolder, pickFilesDialog, pickFolderDialog, type OpenDialogSpec } from './dialog-options';

export interface NativeDialogHandlers {
  'dialogs:pickFolder': Handler<'dialogs:pickFolder'>;
  'dialogs:pickFiles': Handler<'dialogs:pickFiles'>;
}

/**
 * The channels the shell answers itself (the engine has no windows). Each dialog is modal to the window that asked,
 * so it cannot get lost behind the app.
 */
export function nativeDialogHandlers(parent: BrowserWindow | null): NativeDialogHandlers {
  const open = (spec: OpenDialogSpec) => (parent && !parent.isDestroyed() ? dialog.showOpenDialog(parent, spec) : dialog.showOpenDialog(spec));
  return {
    'dialogs:pickFolder': async (request) => pickedFolder(await open(pickFolderDialog(request))),
    'dialogs:pickFiles': async (request) => pickedFiles(await open(pickFilesDialog(request))),
  };
}

export function isNativeDialogChannel(name: string): name is keyof NativeDialogHandlers {
  return name === 'dialogs:pickFolder' || name === 'dialogs:pickFiles';
}
