import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSegment, encodeSegment, LocalNamePlanner, type LocalName, type NameRules } from './local-names';

const POSIX: NameRules = { windows: false, caseInsensitive: false };
const WINDOWS: NameRules = { windows: true, caseInsensitive: true };

function ok(n: LocalName): string {
  if (!n.ok) throw new Error(`expected a name, got ${n.message}`);
  return n.relPath;
}

/** Resolves against a real folder path the way a download would, and checks it stays inside. */
function inside(rel: string, windows: boolean): boolean {
  const p = windows ? path.win32 : path.posix;
  const root = windows ? 'D:\\Downloads\\job' : '/home/me/Downloads/job';
  const full = p.resolve(root, rel);
  return full.startsWith(root + p.sep);
}

describe('download names: never outside the chosen folder (RELIABILITY "Names and paths")', () => {
  const escaping = ['../../x', 'a/../../x', '/etc/x', 'C:/x', '\\\\host\\share\\x', 'a\\..\\x', '..', 'p/..', '../', 'a/b/../../../c', '....//x'];
  for (const rules of [POSIX, WINDOWS]) {
    const label = rules.windows ? 'windows' : 'posix';
    for (const key of escaping) {
      it(`${label}: ${JSON.stringify(key)} lands inside or is refused`, () => {
        const n = new LocalNamePlanner(rules).add(key);
        if (n.ok) {
          expect(inside(n.relPath, rules.windows)).toBe(true);
          // No segment may mean "up" or "here" to the OS.
          for (const seg of n.relPath.split('/')) expect(['.', '..']).not.toContain(seg);
          if (rules.windows) expect(n.relPath).not.toMatch(/[\\:]/);
        } else {
          expect(n.message).toMatch(/skipped/);
        }
      });
    }
  }

  it('escapes ".." and "." parts reversibly, and reports the rename', () => {
    const n = new LocalNamePlanner(POSIX).add('a/../../x');
    expect(n.ok && n.renamed).toBe(true);
    expect(ok(n)).toBe('a/．．/．．/x');
    expect(ok(n).split('/').map(decodeSegment).join('/')).toBe('a/../../x');
    expect(n.ok ? n.notice : '').toMatch(/Renamed/);
  });

  it('absolute keys and backslashes stay below the folder', () => {
    expect(ok(new LocalNamePlanner(POSIX).add('/etc/x'))).toBe('etc/x');
    expect(ok(new LocalNamePlanner(POSIX).add('a\\..\\x'))).toBe('a＼..＼x');
    expect(ok(new LocalNamePlanner(WINDOWS).add('\\\\host\\share\\x'))).toBe('＼＼host＼share＼x');
    expect(ok(new LocalNamePlanner(WINDOWS).add('C:/x'))).toBe('C：/x');
    expect(ok(new LocalNamePlanner(POSIX).add('C:/x'))).toBe('C:/x');
  });
});

describe('download names: two objects never land in one file', () => {
  it('a//b, a/./b and a/b: the first wins, the others are conflicts, no crash', () => {
    const p = new LocalNamePlanner(POSIX);
    expect(ok(p.add('a//b'))).toBe('a/b');
    const second = p.add('a/./b');
    const third = p.add('a/b');
    expect(second.ok).toBe(false);
    expect(third.ok).toBe(false);
    expect(!third.ok && third.code).toBe('conflict');
  });

  it('a.txt and A.txt on a case-insensitive disk: a reported conflict, never an overwrite', () => {
    const p = new LocalNamePlanner(WINDOWS);
    expect(ok(p.add('dir/a.txt'))).toBe('dir/a.txt');
    const n = p.add('DIR/A.txt');
    expect(n.ok).toBe(false);
    expect(!n.ok && n.message).toMatch(/same local file/);
    // On a case-sensitive disk both are kept.
    const q = new LocalNamePlanner(POSIX);
    expect(ok(q.add('a.txt'))).toBe('a.txt');
    expect(ok(q.add('A.txt'))).toBe('A.txt');
  });

  it('a file where a folder is needed (and the reverse) is a conflict', () => {
    const p = new LocalNamePlanner(POSIX);
    ok(p.add('x'));
    expect(p.add('x/y').ok).toBe(false);
    const q = new LocalNamePlanner(POSIX);
    ok(q.add('x/y'));
    expect(q.add('x').ok).toBe(false);
  });

  it('escaped names cannot collide with keys that already hold the look-alike characters', () => {
    const p = new LocalNamePlanner(WINDOWS);
    const a = ok(p.add('q?.txt'));
    const b = ok(p.add('q？.txt'));
    expect(a).not.toBe(b);
    expect(decodeSegment(a)).toBe('q?.txt');
    expect(decodeSegment(b)).toBe('q？.txt');
  });
});

describe('download names: Windows-reserved names are escaped reversibly, with a notice', () => {
  const cases = ['CON', 'nul.txt', 'com1', 'LPT9.log', 'trailing.', 'trailing ', 'a:b', 'what?', 'x<y>z|"*', 'tab\there', 'ＣON'];
  for (const name of cases) {
    it(`${JSON.stringify(name)}`, () => {
      const n = new LocalNamePlanner(WINDOWS).add(name);
      const rel = ok(n);
      expect(n.ok && n.renamed).toBe(true);
      expect(n.ok ? n.notice : '').toMatch(/stored as/);
      expect(rel).not.toMatch(/^(CON|PRN|AUX|NUL|COM\d|LPT\d)(\.|$)/i);
      expect(rel).not.toMatch(/[. ]$/);
      expect(rel).not.toMatch(/[<>:"|?*\u0000-\u001f]/);
      expect(decodeSegment(rel)).toBe(name);
    });
  }

  it('on POSIX the same names are kept as they are', () => {
    for (const name of ['CON', 'nul.txt', 'trailing.', 'a:b', 'what?']) {
      const n = new LocalNamePlanner(POSIX).add(name);
      expect(ok(n)).toBe(name);
      expect(n.ok && n.renamed).toBe(false);
    }
  });
});

describe('download names: ordinary awkward names round-trip unchanged', () => {
  it('unicode, spaces, %, +, #, ?, quotes, <>&', () => {
    for (const key of ['naïve café/日本語 ファイル.txt', 'a b/100%+1#2.txt', "it's \"quoted\" <>&.txt", 'emoji 🎉.png']) {
      const n = new LocalNamePlanner(POSIX).add(key);
      expect(ok(n)).toBe(key);
      expect(n.ok && n.renamed).toBe(false);
    }
  });

  it('a name part over 255 bytes is refused before the copy, never truncated', () => {
    const n = new LocalNamePlanner(POSIX).add(`dir/${'é'.repeat(200)}.txt`);
    expect(n.ok).toBe(false);
    expect(!n.ok && n.message).toMatch(/255 bytes/);
  });

  it('encode/decode is a bijection on tricky segments', () => {
    for (const seg of ['‛', '‛‛x', '．', '．．', '␠', 'a＼b', 'Ａ', '\u0001', 'CON.', '..', '.']) {
      expect(decodeSegment(encodeSegment(seg, { windows: true }))).toBe(seg);
      expect(decodeSegment(encodeSegment(seg, { windows: false }))).toBe(seg);
    }
  });

  it('folder markers map to folders and a bare "/" maps to the folder itself', () => {
    const p = new LocalNamePlanner(POSIX);
    const n = p.add('dir/sub/');
    expect(n.ok && n.isFolder).toBe(true);
    expect(ok(n)).toBe('dir/sub/');
    expect(ok(p.add('dir/sub/file'))).toBe('dir/sub/file');
    expect(p.add('nothing-but/').ok).toBe(true);
  });
});
