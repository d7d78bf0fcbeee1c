import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWindowsPath, localPathToUri, parseLocation } from '../../../../shared/location';
import { decodeSegment, encodeSegment, LocalNamePlanner, nameRulesFor } from '../../jobs/local-names';
import { splitKey } from './local.paths';
import { driveBucketBase, isDriveRoot, isWithin, localTarget, pathRulesFor } from './local.platform';

// The pure path functions run here with each platform's rules injected, so Linux CI checks Windows and macOS too.
const win = pathRulesFor('win32');
const mac = pathRulesFor('darwin');
const linux = pathRulesFor('linux');

/** Where a key of the built-in account lands on disk, as the provider computes it (without touching the disk). */
function winTarget(uri: string): string {
  const { bucket, key } = parseLocation(uri);
  return localTarget('/', bucket, splitKey(key, {}, win).segments, win);
}

describe('path rules per platform', () => {
  it('uses path.win32 and folds case on Windows, folds case on macOS, neither on Linux', () => {
    expect(win).toMatchObject({ path: path.win32, windows: true, caseInsensitive: true });
    expect(mac).toMatchObject({ path: path.posix, windows: false, caseInsensitive: true });
    expect(linux).toMatchObject({ path: path.posix, windows: false, caseInsensitive: false });
  });

  it('makes the file-system root a drive root on Windows only', () => {
    expect(isDriveRoot('/', win)).toBe(true);
    expect(isDriveRoot('\\', win)).toBe(true);
    expect(isDriveRoot('C:\\data', win)).toBe(false);
    expect(isDriveRoot('/', linux)).toBe(false);
    expect(isDriveRoot('/', mac)).toBe(false);
  });
});

describe('drive letters', () => {
  it('turns a drive path of either case into the drive bucket', () => {
    for (const p of ['C:\\dl\\x.txt', 'c:\\dl\\x.txt', 'C:/dl/x.txt', '\\\\?\\C:\\dl\\x.txt']) {
      expect(isWindowsPath(p)).toBe(true);
      expect(localPathToUri(p, 'win32')).toBe('file:///C:/dl/x.txt');
      expect(parseLocation(localPathToUri(p, 'win32'))).toEqual({ kind: 'local', account: 'local', bucket: 'C:', key: 'dl/x.txt' });
    }
    expect(localPathToUri('D:\\', 'win32')).toBe('file:///D:/');
    expect(localPathToUri('d:', 'win32')).toBe('file:///D:/');
  });

  it('maps a drive bucket to the drive, whatever the case', () => {
    expect(driveBucketBase('C:', ['dl'])).toEqual({ base: 'C:\\', rest: ['dl'], used: 0 });
    expect(driveBucketBase('d:', [])).toEqual({ base: 'D:\\', rest: [], used: 0 });
    expect(winTarget('file:///D:/photos/2024/a.jpg')).toBe('D:\\photos\\2024\\a.jpg');
  });

  it('refuses any other bucket on a drive-root account', () => {
    expect(() => driveBucketBase('home', [])).toThrow(/not a drive/);
    expect(() => driveBucketBase('CD:', [])).toThrow(/not a drive/);
    expect(() => driveBucketBase('', [])).toThrow(/not a drive/);
  });

  it('keeps a POSIX path verbatim and a POSIX account unchanged', () => {
    expect(isWindowsPath('/home/me/dl')).toBe(false);
    expect(localPathToUri('/home/me/a\\b', 'posix')).toBe('file:///home/me/a\\b');
    expect(localTarget('/srv/data', 'bkt', ['a', 'b.txt'], linux)).toBe('/srv/data/bkt/a/b.txt');
    expect(localTarget('/', 'home', ['me'], linux)).toBe('/home/me');
    // A Windows account rooted in one folder keeps sub-folders as buckets.
    expect(localTarget('C:\\data', 'bkt', ['a'], win)).toBe('C:\\data\\bkt\\a');
  });
});

describe('UNC shares', () => {
  it('turns a share path into the UNC bucket with host and share as the first key segments', () => {
    expect(isWindowsPath('\\\\nas\\media\\x')).toBe(true);
    expect(localPathToUri('\\\\nas\\media\\films\\x.mkv', 'win32')).toBe('file:///UNC/nas/media/films/x.mkv');
    expect(localPathToUri('\\\\?\\UNC\\nas\\media\\x', 'win32')).toBe('file:///UNC/nas/media/x');
    expect(parseLocation('file:///UNC/nas/media/films/')).toEqual({ kind: 'local', account: 'local', bucket: 'UNC', key: 'nas/media/films/' });
  });

  it('maps the share to \\\\host\\share\\ and the rest below it', () => {
    expect(driveBucketBase('UNC', ['nas', 'media', 'films', 'x.mkv'])).toEqual({ base: '\\\\nas\\media\\', rest: ['films', 'x.mkv'], used: 2 });
    expect(winTarget('file:///UNC/nas/media/films/x.mkv')).toBe('\\\\nas\\media\\films\\x.mkv');
  });

  it('asks for a share when the key names none', () => {
    expect(() => driveBucketBase('UNC', [])).toThrow(/network share/);
    expect(() => driveBucketBase('UNC', ['nas'])).toThrow(/network share/);
  });
});

describe('a download into C:\\dl', () => {
  it('lands each object in the right file below C:\\dl', () => {
    const folder = `${localPathToUri('C:\\dl', 'win32')}/`;
    expect(folder).toBe('file:///C:/dl/');
    const planner = new LocalNamePlanner(nameRulesFor('win32'));
    const target = (objectKey: string): string => {
      const name = planner.add(objectKey);
      if (!name.ok) throw new Error(name.message);
      return winTarget(folder + name.relPath);
    };
    expect(target('report.pdf')).toBe('C:\\dl\\report.pdf');
    expect(target('2024/q1/sales.csv')).toBe('C:\\dl\\2024\\q1\\sales.csv');
    expect(target('logs/CON')).toBe('C:\\dl\\logs\\ＣON');
    expect(target('what?.txt')).toBe('C:\\dl\\what？.txt');
  });
});

describe('Windows reserved names and trailing dots or spaces', () => {
  const names = ['CON', 'con', 'nul.txt', 'NUL', 'com1', 'COM9.log', 'LPT1', 'aux.tar.gz', 'PRN', 'CONIN$', 'report.', 'notes ', 'dots..', 'a:b', 'q?', 'x|y', '<tag>', 'star*'];

  it('escapes each on Windows so that the provider accepts the name, and decodes it back exactly', () => {
    for (const name of names) {
      const enc = encodeSegment(name, { windows: true });
      expect(enc, name).not.toBe(name);
      expect(() => splitKey(`dl/${enc}`, {}, win), enc).not.toThrow();
      expect(decodeSegment(enc), enc).toBe(name);
    }
  });

  it('reports the rename', () => {
    const planner = new LocalNamePlanner(nameRulesFor('win32'));
    const r = planner.add('dir/nul.txt');
    expect(r).toMatchObject({ ok: true, renamed: true, relPath: 'dir/ｎul.txt' });
    expect(r.ok && r.notice).toMatch(/Renamed for the local disk: "nul\.txt" stored as/);
    const dot = planner.add('trailing.');
    expect(dot.ok && dot.notice).toMatch(/"trailing\." stored as "trailing．"/);
  });

  it('leaves them alone on Linux and macOS', () => {
    for (const name of names.filter((n) => !/[:?|<>*]/.test(n))) expect(encodeSegment(name, { windows: false })).toBe(name);
    const planner = new LocalNamePlanner(nameRulesFor('darwin'));
    expect(planner.add('CON')).toMatchObject({ ok: true, renamed: false, relPath: 'CON' });
  });

  it('refuses a raw reserved or Windows-forbidden name as a key under Windows rules only', () => {
    for (const key of ['a/CON', 'nul.txt', 'a/com1.log', 'a/b.', 'a/b ', 'a/x:y', 'a/q?']) {
      expect(() => splitKey(key, {}, win), key).toThrow(/Windows/);
      expect(() => splitKey(key, {}, linux), key).not.toThrow();
    }
  });
});

describe('case-insensitive collisions', () => {
  it('reports a.txt beside A.txt on macOS and Windows, not on Linux', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const planner = new LocalNamePlanner(nameRulesFor(platform));
      expect(planner.add('a.txt')).toMatchObject({ ok: true });
      expect(planner.add('A.txt'), platform).toMatchObject({ ok: false, code: 'conflict' });
      expect(planner.add('Docs/x')).toMatchObject({ ok: true });
      expect(planner.add('docs/x'), platform).toMatchObject({ ok: false, code: 'conflict' });
    }
    const planner = new LocalNamePlanner(nameRulesFor('linux'));
    expect(planner.add('a.txt')).toMatchObject({ ok: true });
    expect(planner.add('A.txt')).toMatchObject({ ok: true });
  });

  it('compares real paths without regard to case on Windows only', () => {
    expect(isWithin('C:\\dl', 'c:\\DL\\x', win)).toBe(true);
    expect(isWithin('C:\\dl', 'C:\\dl', win)).toBe(true);
    expect(isWithin('C:\\dl', 'C:\\dl2\\x', win)).toBe(false);
    expect(isWithin('C:\\', 'C:\\x', win)).toBe(true);
    expect(isWithin('C:\\', 'D:\\x', win)).toBe(false);
    expect(isWithin('/home/me', '/home/ME/x', linux)).toBe(false);
    expect(isWithin('/home/me', '/home/me/x', linux)).toBe(true);
  });
});

describe('traversal under Windows rules', () => {
  const hostile = ['../x', '..\\x', 'a/../../x', 'a\\..\\..\\x', 'C:/Windows/x', 'C:x', 'a/C:/x', 'a/C:', '\\\\host\\share\\x', 'a/\\\\host\\x', '/x', '//host/share/x', 'a/./b', 'a/ ..', 'a/.. ', 'a/...', 'x/D:\\y'];

  it('never reaches the provider as a path: splitKey refuses each', () => {
    for (const key of hostile) expect(() => splitKey(`dl/${key}`, {}, win), key).toThrow();
  });

  it('is either refused or escaped by the download planner into a file inside C:\\dl', () => {
    const root = 'C:\\dl';
    for (const key of hostile) {
      const planner = new LocalNamePlanner(nameRulesFor('win32'));
      const r = planner.add(key);
      if (!r.ok) continue;
      // The escaped name is also one the provider accepts, and it resolves below the folder.
      const { segments } = splitKey(`dl/${r.relPath}`, {}, win);
      const target = localTarget('/', 'C:', segments, win);
      expect(isWithin(root, target, win), `${key} -> ${target}`).toBe(true);
      expect(target, key).not.toBe(root);
      expect(path.win32.resolve(root, r.relPath).toLowerCase().startsWith(`${root.toLowerCase()}\\`), key).toBe(true);
    }
  });

  it('keeps a share key inside its share', () => {
    for (const key of ['nas/media/../other/x', 'nas/media/C:/x', 'nas/../x']) expect(() => splitKey(key, {}, win), key).toThrow();
    expect(winTarget('file:///UNC/nas/media/a/b')).toBe('\\\\nas\\media\\a\\b');
  });
});
