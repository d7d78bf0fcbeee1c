import { LocationParseError, parseLocation } from '../../shared/location';

/**
 * The download dialog's "If this location fails, read from:" field: one full object URI per line, blank lines
 * ignored. Returns the URIs, or the first problem in words the user can act on (the engine would refuse a folder
 * or a malformed location anyway, but only after the dialog closed).
 */
export function parseAlternates(text: string): { uris: string[] } | { problem: string } {
  const uris: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const where = `Line ${i + 1}`;
    let key: string;
    let bucket: string;
    try {
      ({ bucket, key } = parseLocation(line));
    } catch (e) {
      if (e instanceof LocationParseError) return { problem: `${where}: ${e.message}.` };
      throw e;
    }
    if (!bucket || !key || key.endsWith('/')) return { problem: `${where}: "${line}" is not an object; give its full location, such as gs://account/bucket/key.` };
    if (!uris.includes(line)) uris.push(line);
  }
  if (uris.length > 16) return { problem: 'Give at most 16 other locations.' };
  return { uris };
}
