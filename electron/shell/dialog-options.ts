import type { ChannelRequestParsed, ChannelResponse } from '../../shared/contract';

/**
 * What the shell hands Electron's `dialog.showOpenDialog`. Kept free of `electron` so it is unit-tested in plain
 * Node; its shape is a subset of Electron's `OpenDialogOptions`, so it is passed as is.
 */
export interface OpenDialogSpec {
  title?: string;
  defaultPath?: string;
  properties: ('openFile' | 'openDirectory' | 'multiSelections' | 'createDirectory')[];
}

/** What `showOpenDialog` resolves with (the part we read). */
export interface OpenDialogAnswer {
  canceled: boolean;
  filePaths: string[];
}

/**
 * `/home/me`, `C:\Users\me`, `C:/Users/me`: anything else is no place to start a dialog. Never a network path
 * (`\\server\share`, `//server/share`, `\\?\UNC\…`): the path comes from the page, and a dialog opened there makes
 * Windows connect to that server and offer it the user's credentials (NTLM).
 */
export function isLocalAbsolutePath(p: string): boolean {
  return /^(\/(?![\\/])|[A-Za-z]:[\\/])/.test(p);
}

/** Drops a blank title (the OS default reads better) and a start folder that is not a full path (a half-typed field). */
function common(title: string | undefined, defaultPath?: string): Pick<OpenDialogSpec, 'title' | 'defaultPath'> {
  const spec: Pick<OpenDialogSpec, 'title' | 'defaultPath'> = {};
  if (title?.trim()) spec.title = title.trim();
  const start = defaultPath?.trim();
  if (start && isLocalAbsolutePath(start)) spec.defaultPath = start;
  return spec;
}

/** A folder to download into: one folder, and the user may make a new one on the spot. */
export function pickFolderDialog(request: ChannelRequestParsed<'dialogs:pickFolder'>): OpenDialogSpec {
  return { ...common(request.title, request.defaultPath), properties: ['openDirectory', 'createDirectory'] };
}

/**
 * Files to upload, or folders when asked: Windows and Linux cannot offer files and folders in one dialog (asking for
 * both shows folders only), so a request picks one kind.
 */
export function pickFilesDialog(request: ChannelRequestParsed<'dialogs:pickFiles'>): OpenDialogSpec {
  const properties: OpenDialogSpec['properties'] = [request.directories ? 'openDirectory' : 'openFile'];
  if (request.multiple) properties.push('multiSelections');
  return { ...common(request.title), properties };
}

export function pickedFolder(answer: OpenDialogAnswer): ChannelResponse<'dialogs:pickFolder'> {
  const first = answer.filePaths[0];
  return { path: answer.canceled || first === undefined ? null : first };
}

export function pickedFiles(answer: OpenDialogAnswer): ChannelResponse<'dialogs:pickFiles'> {
  return { paths: answer.canceled ? [] : [...answer.filePaths] };
}
