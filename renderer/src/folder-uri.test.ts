import { describe, expect, it } from 'vitest';
import { folderToUri } from './actions';

describe('folderToUri', () => {
  it('keeps a POSIX folder as it was', () => {
    expect(folderToUri('/home/me/dl')).toBe('file:///home/me/dl/');
    expect(folderToUri(' /home/me/dl/ ')).toBe('file:///home/me/dl/');
  });

  it('makes the drive or the share the bucket of a Windows folder', () => {
    expect(folderToUri('C:\\Users\\me')).toBe('file:///C:/Users/me/');
    expect(folderToUri('d:\\dl')).toBe('file:///D:/dl/');
    expect(folderToUri('E:\\')).toBe('file:///E:/');
    expect(folderToUri('\\\\nas\\media\\films')).toBe('file:///UNC/nas/media/films/');
  });
});
