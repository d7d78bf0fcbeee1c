import { describe, expect, it } from 'vitest';
import { channels } from '../../shared/contract';
import { pickedFiles, pickedFolder, pickFilesDialog, pickFolderDialog } from './dialog-options';

// Requests go through the contract's parse first, as they do in the shell.
const folderReq = (raw: unknown) => channels['dialogs:pickFolder'].request.parse(raw);
const filesReq = (raw: unknown) => channels['dialogs:pickFiles'].request.parse(raw);

describe('pickFolderDialog', () => {
  it('asks for one folder, which the user may create on the spot', () => {
    expect(pickFolderDialog(folderReq({}))).toEqual({ properties: ['openDirectory', 'createDirectory'] });
    expect(pickFolderDialog(folderReq({ title: ' Download to ', defaultPath: '/home/me/Downloads' }))).toEqual({
      title: 'Download to',
      defaultPath: '/home/me/Downloads',
      properties: ['openDirectory', 'createDirectory'],
    });
  });

  it('starts where a full path points, and ignores a half-typed one', () => {
    expect(pickFolderDialog(folderReq({ defaultPath: 'C:\\Users\\me' })).defaultPath).toBe('C:\\Users\\me');
    expect(pickFolderDialog(folderReq({ defaultPath: 'C:/Users/me' })).defaultPath).toBe('C:/Users/me');
    for (const defaultPath of ['', '   ', 'Downloads', '~/Downloads', 'C:', '../etc']) {
      expect(pickFolderDialog(folderReq({ defaultPath, title: ' ' }))).toEqual({ properties: ['openDirectory', 'createDirectory'] });
    }
  });

  it("never starts at a network share: Windows would connect to it and offer the user's credentials", () => {
    const unc = ['\\\\nas\\share', '\\\\nas\\share\\dl', '//nas/share', '\\\\?\\UNC\\nas\\share', '\\\\.\\pipe\\x', '/\\nas\\share', '\\/nas/share', '//'];
    for (const defaultPath of unc) {
      expect(pickFolderDialog(folderReq({ defaultPath })).defaultPath, defaultPath).toBeUndefined();
    }
    expect(pickFolderDialog(folderReq({ defaultPath: '/mnt/nas/share' })).defaultPath).toBe('/mnt/nas/share');
  });
});

describe('pickFilesDialog', () => {
  it('asks for files, several when the request says so', () => {
    expect(pickFilesDialog(filesReq({}))).toEqual({ properties: ['openFile'] });
    expect(pickFilesDialog(filesReq({ title: 'Upload', multiple: true }))).toEqual({ title: 'Upload', properties: ['openFile', 'multiSelections'] });
  });

  it('asks for folders instead of files (Windows and Linux cannot mix them)', () => {
    expect(pickFilesDialog(filesReq({ directories: true }))).toEqual({ properties: ['openDirectory'] });
    expect(pickFilesDialog(filesReq({ directories: true, multiple: true }))).toEqual({ properties: ['openDirectory', 'multiSelections'] });
  });
});

describe('answers', () => {
  it('a picked folder, or null when the user cancels', () => {
    expect(pickedFolder({ canceled: false, filePaths: ['/home/me/dl'] })).toEqual({ path: '/home/me/dl' });
    expect(pickedFolder({ canceled: true, filePaths: [] })).toEqual({ path: null });
    expect(pickedFolder({ canceled: false, filePaths: [] })).toEqual({ path: null });
  });

  it('the picked files, or none when the user cancels', () => {
    expect(pickedFiles({ canceled: false, filePaths: ['/a/b.txt', '/a/c d.txt'] })).toEqual({ paths: ['/a/b.txt', '/a/c d.txt'] });
    expect(pickedFiles({ canceled: true, filePaths: ['/a/b.txt'] })).toEqual({ paths: [] });
  });
});
