// @ts-check
/**
 * When a build target can be skipped: a stamp per target holds its input files and a fingerprint of their names,
 * sizes and mtimes. Kept apart from build.mjs so that a test can drive it on a scratch folder without a build.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * @param {{ root: string, stampsFile: string, lockInputs: string[], force?: boolean }} options
 */
export function createStampBook({ root, stampsFile, lockInputs, force = false }) {
  /** @type {Record<string, { inputs: string[], hash: string }>} */
  let stamps = {};
  try {
    stamps = JSON.parse(readFileSync(stampsFile, 'utf8'));
  } catch {
    stamps = {};
  }
  /** @param {string} p */
  const rel = (p) => path.relative(root, p).split(path.sep).join('/');
  /** @param {string[]} inputs */
  const withLock = (inputs) => [...new Set([...inputs, ...lockInputs])];

  /** @param {string[]} files */
  function fingerprint(files) {
    const h = createHash('sha1');
    for (const f of [...files].sort()) {
      const abs = path.join(root, f);
      if (!existsSync(abs)) {
        h.update(`${f}:missing\n`);
        continue;
      }
      const s = statSync(abs);
      h.update(`${f}:${s.size}:${s.mtimeMs}\n`);
    }
    return h.digest('hex');
  }

  return {
    /** Every file below `dir` (relative to the root), tests and node_modules left out. */
    walk(/** @type {string} */ dir, /** @type {string[]} */ out = []) {
      if (!existsSync(dir)) return out;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'node_modules') this.walk(p, out);
        } else if (!/\.test\.tsx?$/.test(e.name)) out.push(rel(p));
      }
      return out;
    },
    /**
     * `current` is the target's input list as it is now, for targets whose inputs are whole folders (the
     * renderer): a file added since the last build (or removed) changes the list, hence the fingerprint, where the
     * stored list alone would never mention it. Bundles pass nothing: esbuild's metafile names every input, and a
     * new file only becomes one through an edit to a file already listed.
     * @param {string} name @param {string[]} outputs @param {string[]} [current]
     */
    upToDate(name, outputs, current) {
      if (force) return false;
      const s = stamps[name];
      if (!s || !outputs.every((o) => existsSync(path.join(root, o)))) return false;
      return fingerprint(current ? withLock(current) : s.inputs) === s.hash;
    },
    /** @param {string} name @param {string[]} inputs */
    remember(name, inputs) {
      const all = withLock(inputs);
      stamps[name] = { inputs: all, hash: fingerprint(all) };
    },
    save() {
      writeFileSync(stampsFile, JSON.stringify(stamps, null, 1));
    },
  };
}
