/**
 * Glob to RegExp for include/exclude filters on keys relative to the source prefix. minimatch and picomatch are
 * only transitive dependencies here (not declared in package.json), so a small, tested translator of our own:
 * `*` matches within one folder, `**` across folders (`a/**` matches everything under `a/`, `**\/x` matches `x`
 * at any depth), `?` one character but `/`, `[abc]` / `[!abc]` a class, `{a,b}` alternatives, `\` escapes.
 * A pattern without `/` matches the base name at any depth, as rclone and .gitignore do.
 */
export function globToRegExp(glob: string): RegExp {
  const anchored = glob.includes('/');
  const body = translate(anchored && glob.startsWith('/') ? glob.slice(1) : glob);
  return new RegExp(anchored ? `^${body}$` : `(?:^|/)${body}$`, 'u');
}

function escapeChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function translate(glob: string): string {
  let out = '';
  let braces = 0;
  const chars = [...glob];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '\\' && i + 1 < chars.length) {
      out += escapeChar(chars[++i] ?? '');
    } else if (c === '*') {
      if (chars[i + 1] === '*') {
        i++;
        // `**/` may match no folder at all; a trailing `**` matches the rest of the key.
        if (chars[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let cls = chars.slice(i + 1, end);
      const negate = cls[0] === '!' || cls[0] === '^';
      if (negate) cls = cls.slice(1);
      out += `[${negate ? '^/' : ''}${cls.map((x) => (x === '\\' || x === ']' || x === '[' || x === '^' ? `\\${x}` : x)).join('')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else {
      out += escapeChar(c);
    }
  }
  return out + ')'.repeat(braces);
}

/** include: at least one matches (when any are given); exclude: none matches. */
export function globFilter(include: readonly string[] | undefined, exclude: readonly string[] | undefined): (relKey: string) => boolean {
  const inc = (include ?? []).map(globToRegExp);
  const exc = (exclude ?? []).map(globToRegExp);
  return (key) => (inc.length === 0 || inc.some((r) => r.test(key))) && !exc.some((r) => r.test(key));
}

/** A literal string as a glob (its `*?[]{}\\,` escaped). */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]{}\\,]/g, (c) => `\\${c}`);
}
