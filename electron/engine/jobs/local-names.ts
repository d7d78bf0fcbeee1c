import path from 'node:path';

/**
 * Object keys to local relative paths for downloads. Keys are arbitrary strings; a local folder is not. The
 * mapping (1) never leaves the chosen folder, (2) escapes what the disk cannot hold reversibly, in rclone's way
 * (a look-alike full-width character, and a `‛` quote before any look-alike that was already in the key, so
 * decoding is unambiguous), (3) never maps two objects to one file, and (4) reports every rename.
 */

const QUOTE = '‛';
/** Characters no local disk we support accepts in a name part (after `/` split): backslash and NUL. */
const ALWAYS: Record<string, string> = { '\\': '＼', '\0': '␀' };
/** Windows adds these, and control characters. */
const WINDOWS: Record<string, string> = { ':': '：', '*': '＊', '?': '？', '"': '＂', '<': '＜', '>': '＞', '|': '｜' };
const DOT = '．';
const SPACE = '␠';
const RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)(\..*)?$/i;
const MAX_SEGMENT_BYTES = 255;

export interface NameRules {
  windows: boolean;
  caseInsensitive: boolean;
}

/** A platform's rules: Windows' names on win32; case folded on win32 and darwin (their default file systems). */
export function nameRulesFor(platform: NodeJS.Platform): NameRules {
  return { windows: platform === 'win32', caseInsensitive: platform === 'win32' || platform === 'darwin' };
}

/** The running platform's rules. */
export function defaultNameRules(): NameRules {
  return nameRulesFor(process.platform);
}

function controlReplacement(c: string): string {
  return String.fromCharCode(0x2400 + c.charCodeAt(0));
}

/** Every character the encoder may emit as a look-alike: a key that already holds one gets it quoted. */
const LOOKALIKES = new Set<string>([QUOTE, DOT, SPACE, ...Object.values(ALWAYS), ...Object.values(WINDOWS)]);
for (let c = 0; c < 0x20; c++) LOOKALIKES.add(String.fromCharCode(0x2400 + c));

function isFullWidthLetter(code: number): boolean {
  return (code >= 0xff21 && code <= 0xff3a) || (code >= 0xff41 && code <= 0xff5a);
}

/** Full-width look-alike of an ASCII letter, for the first letter of a reserved device name (`CON` -> `ＣON`). */
function fullWidth(c: string): string {
  return String.fromCharCode(c.charCodeAt(0) + 0xfee0);
}

export function encodeSegment(segment: string, rules: Pick<NameRules, 'windows'>): string {
  let out = '';
  for (const c of segment) {
    if (LOOKALIKES.has(c) || isFullWidthLetter(c.charCodeAt(0))) out += QUOTE + c;
    else if (ALWAYS[c] !== undefined) out += ALWAYS[c];
    else if (rules.windows && WINDOWS[c] !== undefined) out += WINDOWS[c];
    else if (rules.windows && c.charCodeAt(0) < 0x20) out += controlReplacement(c);
    else out += c;
  }
  // `.` and `..` would mean "here" and "up": never a name on any disk.
  if (out === '.' || out === '..') return out.replaceAll('.', DOT);
  if (rules.windows) {
    if (RESERVED.test(out)) out = fullWidth(out[0] ?? '') + out.slice(1);
    // Windows silently drops a trailing dot or space, so `a.` and `a` would become one file.
    const last = out[out.length - 1];
    if (last === '.') out = out.slice(0, -1) + DOT;
    else if (last === ' ') out = out.slice(0, -1) + SPACE;
  }
  return out;
}

export function decodeSegment(encoded: string): string {
  const reverse = new Map<string, string>([[DOT, '.'], [SPACE, ' ']]);
  for (const [k, v] of Object.entries({ ...ALWAYS, ...WINDOWS })) reverse.set(v, k);
  for (let c = 0; c < 0x20; c++) reverse.set(String.fromCharCode(0x2400 + c), String.fromCharCode(c));
  let out = '';
  const chars = [...encoded];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === QUOTE && i + 1 < chars.length) {
      out += chars[++i] ?? '';
      continue;
    }
    const code = c.charCodeAt(0);
    if (isFullWidthLetter(code)) out += String.fromCharCode(code - 0xfee0);
    else out += reverse.get(c) ?? c;
  }
  return out;
}

export type LocalName =
  | { ok: true; relPath: string; isFolder: boolean; renamed: boolean; notice?: string }
  | { ok: false; code: 'invalid_input' | 'conflict'; message: string };

/**
 * Plans the local names of one download job. `add()` is called once per object in listing order; it remembers
 * every name given so that a second object that would land in the same file (same name, same name but for case
 * on a case-insensitive disk, `a//b` beside `a/b`, a file where a folder is needed) is reported as a conflict.
 */
export class LocalNamePlanner {
  private readonly files = new Map<string, string>();
  private readonly folders = new Map<string, string>();

  constructor(private readonly rules: NameRules = defaultNameRules()) {}

  add(relKey: string): LocalName {
    const isFolder = relKey.endsWith('/');
    const notes: string[] = [];
    const parts: string[] = [];
    for (const raw of (isFolder ? relKey.slice(0, -1) : relKey).split('/')) {
      // An empty or `.` part (`a//b`, `/etc/x`, `a/./b`) adds no level: dropped, and the rename reported.
      if (raw === '' || raw === '.') {
        notes.push(raw === '' ? 'empty name part dropped' : '"." part dropped');
        continue;
      }
      const enc = encodeSegment(raw, this.rules);
      if (Buffer.byteLength(enc) > MAX_SEGMENT_BYTES) {
        return { ok: false, code: 'invalid_input', message: `"${relKey}" has a name part longer than ${MAX_SEGMENT_BYTES} bytes, which a local disk cannot hold; skipped` };
      }
      if (enc !== raw) notes.push(`"${raw}" stored as "${enc}"`);
      parts.push(enc);
    }
    if (parts.length === 0) {
      if (isFolder) return { ok: true, relPath: '', isFolder: true, renamed: false };
      return { ok: false, code: 'invalid_input', message: `"${relKey}" has no usable file name; skipped` };
    }
    const relPath = parts.join('/') + (isFolder ? '/' : '');
    // Defence in depth: whatever the encoder did, the result must resolve inside the folder.
    if (!isInside(parts.join('/'), this.rules.windows)) return { ok: false, code: 'invalid_input', message: `"${relKey}" would be written outside the chosen folder; skipped` };
    const conflict = this.claim(parts, isFolder, relKey);
    if (conflict) return { ok: false, code: 'conflict', message: conflict };
    const renamed = notes.length > 0;
    return renamed ? { ok: true, relPath, isFolder, renamed, notice: `Renamed for the local disk: ${notes.join('; ')}` } : { ok: true, relPath, isFolder, renamed };
  }

  private norm(p: string): string {
    const n = p.normalize('NFC');
    return this.rules.caseInsensitive ? n.toLowerCase() : n;
  }

  private claim(parts: string[], isFolder: boolean, key: string): string | undefined {
    const folderCount = isFolder ? parts.length : parts.length - 1;
    for (let i = 1; i <= folderCount; i++) {
      const dir = this.norm(parts.slice(0, i).join('/'));
      const owner = this.files.get(dir);
      if (owner !== undefined) return `"${key}" needs a folder where "${owner}" is a file; skipped`;
    }
    if (isFolder) {
      const dir = this.norm(parts.join('/'));
      if (!this.folders.has(dir)) this.folders.set(dir, key);
      for (let i = 1; i < parts.length; i++) this.folders.set(this.norm(parts.slice(0, i).join('/')), key);
      return undefined;
    }
    const file = this.norm(parts.join('/'));
    const existing = this.files.get(file);
    if (existing !== undefined) return `"${key}" and "${existing}" would be the same local file; "${key}" skipped`;
    const folderOwner = this.folders.get(file);
    if (folderOwner !== undefined) return `"${key}" is a file where "${folderOwner}" needs a folder; skipped`;
    this.files.set(file, key);
    for (let i = 1; i < parts.length; i++) this.folders.set(this.norm(parts.slice(0, i).join('/')), key);
    return undefined;
  }
}

function isInside(rel: string, windows: boolean): boolean {
  const p = windows ? path.win32 : path.posix;
  const root = p.resolve(windows ? 'C:\\skyferry-root' : '/skyferry-root');
  const resolved = p.resolve(root, rel);
  return resolved.startsWith(root + p.sep) && !p.isAbsolute(rel);
}
