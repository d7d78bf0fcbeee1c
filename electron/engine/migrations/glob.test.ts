import { describe, expect, it } from 'vitest';
import { escapeGlob, globFilter, globToRegExp } from './glob';

const m = (glob: string, key: string): boolean => globToRegExp(glob).test(key);

describe('globToRegExp', () => {
  it('matches a base name at any depth when the pattern has no slash', () => {
    expect(m('*.txt', 'a.txt')).toBe(true);
    expect(m('*.txt', 'deep/er/a.txt')).toBe(true);
    expect(m('*.txt', 'a.txt.bak')).toBe(false);
    expect(m('a?c', 'x/abc')).toBe(true);
    expect(m('a?c', 'a/c')).toBe(false);
  });

  it('anchors a pattern with a slash to the source prefix; * stays in one folder, ** crosses folders', () => {
    expect(m('logs/*', 'logs/a.log')).toBe(true);
    expect(m('logs/*', 'logs/2024/a.log')).toBe(false);
    expect(m('logs/**', 'logs/2024/a.log')).toBe(true);
    expect(m('logs/**', 'x/logs/a.log')).toBe(false);
    expect(m('**/cache/*', 'cache/x')).toBe(true);
    expect(m('**/cache/*', 'a/b/cache/x')).toBe(true);
    expect(m('/top.txt', 'top.txt')).toBe(true);
  });

  it('supports classes, negated classes, alternatives and escapes; regex characters are literal', () => {
    expect(m('file[0-9].bin', 'file7.bin')).toBe(true);
    expect(m('file[!0-9].bin', 'file7.bin')).toBe(false);
    expect(m('file[!0-9].bin', 'fileA.bin')).toBe(true);
    expect(m('*.{jpg,png}', 'p/x.png')).toBe(true);
    expect(m('*.{jpg,png}', 'p/x.gif')).toBe(false);
    expect(m('a+b(1).txt', 'a+b(1).txt')).toBe(true);
    expect(m('a\\*b', 'a*b')).toBe(true);
    expect(m('a\\*b', 'axb')).toBe(false);
    expect(m('$^.txt', '$^.txt')).toBe(true);
  });

  it('filters: include any, then exclude none', () => {
    const f = globFilter(['*.txt', 'docs/**'], ['**/secret*']);
    expect(f('a.txt')).toBe(true);
    expect(f('docs/x.pdf')).toBe(true);
    expect(f('img.png')).toBe(false);
    expect(f('docs/secret.txt')).toBe(false);
    expect(globFilter(undefined, undefined)('anything')).toBe(true);
  });

  it('escapes a literal (the quarantine folder) so that its characters match only themselves', () => {
    const r = globToRegExp(`/${escapeGlob('_q[1]{a,b}*/')}**`);
    expect(r.test('_q[1]{a,b}*/old/x.txt')).toBe(true);
    expect(r.test('_q1a/old/x.txt')).toBe(false);
  });
});
